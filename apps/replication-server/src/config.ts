import { parseArgs } from 'node:util'

export interface ServerConfig {
  /** Multiaddrs the libp2p node listens on. */
  readonly listen: string[]
  /** `host:port` of the HTTP JSON API and `/metrics`. */
  readonly http: string
  /** Directory of the replicated groups (LevelDB), blocks, logs and the node's identity. */
  readonly data: string
  /** JSON tokens file; without one, every remote request is refused. */
  readonly tokens: string | undefined
  /** `lan` keeps private and loopback addresses in the DHT; `public` (default) keeps public ones only. */
  readonly dht: 'lan' | 'public'
  /** A replication-device code (`wesh://link/…`) of an account device: link to that account at start. */
  readonly link: string | undefined
}

export const USAGE = `wesh-replication: a Wesh replication server (PROTOCOL.md §8)

Stores, verifies and serves the logs of Wesh groups without ever holding their secrets.

Usage: wesh-replication --listen <multiaddr> --http <host:port> --data <dir> --tokens <file>

  --listen <multiaddr>   libp2p address to listen on, repeatable (default /ip4/0.0.0.0/tcp/4050)
  --http <host:port>     HTTP JSON API (/v1/groups) and Prometheus metrics (/metrics) (default 127.0.0.1:8080)
  --data <dir>           LevelDB storage: groups, blocks, logs, the node's key (default ./repl)
  --tokens <file>        bearer tokens and quotas, JSON:
                         {"v":1,"tokens":[{"name":"alice","token":"…","maxGroups":100,"maxBytes":1073741824}]}
                         ("sha256":"<hex>" may replace "token"); without it, no one may add groups
  --dht <lan|public>     which peer addresses the DHT keeps (default public)
  --link <code>          become the replication device of an account (PROTOCOL.md §8): the code
                         (wesh://link/…) comes from one of its devices; the link is kept in --data,
                         so the flag is needed once; the account's devices then send their groups
  --help                 print this help

Prints one JSON line on stdout when ready: {"event":"listening","peerId":…,"multiaddrs":[…],"http":…}.
Logs are JSON lines on stderr. SIGTERM or SIGINT stops it gracefully.
`

/** Thrown for bad command lines; main prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Parses the command line; `undefined` means "print help". */
export function parseConfig(argv: string[]): ServerConfig | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        listen: { type: 'string', multiple: true },
        http: { type: 'string' },
        data: { type: 'string' },
        tokens: { type: 'string' },
        dht: { type: 'string' },
        link: { type: 'string' },
        help: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const flags = parsed.values
  if (flags.help === true) return undefined
  const http = flags.http ?? '127.0.0.1:8080'
  if (!/^[^:]+:\d+$/.test(http)) throw new UsageError('--http must be host:port')
  const dht = flags.dht ?? 'public'
  if (dht !== 'lan' && dht !== 'public') throw new UsageError('--dht must be lan or public')
  return {
    listen: flags.listen ?? ['/ip4/0.0.0.0/tcp/4050'],
    http,
    data: flags.data ?? './repl',
    tokens: flags.tokens,
    dht,
    link: flags.link,
  }
}
