import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

export interface ServerConfig {
  /** Multiaddrs to listen on. */
  listen: string[]
  /** Directory of the LevelDB registrations and the server's identity key. */
  data: string
  /** `host:port` of the Prometheus endpoint, or undefined for none. */
  metrics: string | undefined
  /** Shortest accepted TTL in seconds (default: the spec's 2 h). */
  minTtl: number | undefined
  /** Longest accepted TTL in seconds (default: 72 h). */
  maxTtl: number | undefined
}

export const USAGE = `wesh-rendezvous: a libp2p rendezvous server (/rendezvous/1.0.0)

Usage: wesh-rendezvous --listen <multiaddr> --data <dir> [options]

  --listen <multiaddr>   address to listen on, repeatable (default /ip4/0.0.0.0/tcp/4040)
  --data <dir>           directory for registrations (LevelDB) and the identity key (default ./rdv)
  --config <file.json>   JSON file with any of: listen (array), data, metrics, minTtl, maxTtl;
                         flags given on the command line win
  --metrics <host:port>  serve Prometheus metrics at http://<host:port>/metrics
  --min-ttl <seconds>    shortest registration TTL accepted (default 7200)
  --max-ttl <seconds>    longest registration TTL accepted (default 259200)
  --help                 print this help

Prints one JSON line on stdout when listening: {"event":"listening","peerId":…,"multiaddrs":[…],"metrics":…}.
Logs are JSON lines on stderr. SIGTERM or SIGINT stops it gracefully.
`

/** Thrown for bad command lines; main prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function seconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  const number = typeof value === 'string' ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
    throw new UsageError(`${name} must be a positive integer number of seconds`)
  }
  return number
}

/** Parses flags and the optional config file; `undefined` means "print help". */
export function parseConfig(argv: string[]): ServerConfig | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        listen: { type: 'string', multiple: true },
        data: { type: 'string' },
        config: { type: 'string' },
        metrics: { type: 'string' },
        'min-ttl': { type: 'string' },
        'max-ttl': { type: 'string' },
        help: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const flags = parsed.values
  if (flags.help === true) return undefined
  let file: Record<string, unknown> = {}
  if (flags.config !== undefined) {
    try {
      const json: unknown = JSON.parse(readFileSync(flags.config, 'utf8'))
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        throw new Error('not a JSON object')
      file = json as Record<string, unknown>
    } catch (error) {
      throw new UsageError(
        `cannot read config ${flags.config}: ${error instanceof Error ? error.message : ''}`,
      )
    }
  }
  const listen = flags.listen ?? file.listen ?? ['/ip4/0.0.0.0/tcp/4040']
  if (!Array.isArray(listen) || !listen.every((item) => typeof item === 'string')) {
    throw new UsageError('listen must be a list of multiaddrs')
  }
  const data = flags.data ?? file.data ?? './rdv'
  if (typeof data !== 'string') throw new UsageError('data must be a directory path')
  const metrics = flags.metrics ?? file.metrics
  if (metrics !== undefined && (typeof metrics !== 'string' || !/^[^:]+:\d+$/.test(metrics))) {
    throw new UsageError('metrics must be host:port')
  }
  return {
    listen: listen,
    data,
    metrics: metrics,
    minTtl: seconds(flags['min-ttl'] ?? file.minTtl, 'min-ttl'),
    maxTtl: seconds(flags['max-ttl'] ?? file.maxTtl, 'max-ttl'),
  }
}
