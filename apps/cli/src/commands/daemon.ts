import { type Command, Option } from 'commander'
import { createLog } from '../log.js'
import { commandContext } from './context.js'

interface DaemonFlags {
  readonly listen?: string[]
  readonly bootstrap?: string[]
  readonly rendezvous?: string[]
  readonly mdns: boolean
  readonly relay?: boolean
  readonly dht: 'public' | 'lan'
  readonly apiPort: string
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description(
      'run a Wesh node on the profile and serve the local API the other commands use (Ctrl-C stops it)',
    )
    .option(
      '--listen <multiaddr>',
      'address to listen on, repeatable (default: TCP and WebSockets, any port)',
      collect,
    )
    .option('--bootstrap <multiaddr>', 'peer to connect to at start, repeatable', collect)
    .option(
      '--rendezvous <multiaddr>',
      'rendezvous server (ending with /p2p/<peer ID>) where contact requests find you, repeatable',
      collect,
    )
    .option('--no-mdns', 'do not look for peers on the local network')
    .option(
      '--relay',
      'also be a circuit relay: peers that cannot listen (web pages, peers behind NAT) become reachable through this node',
    )
    .addOption(
      new Option('--dht <mode>', 'which addresses the DHT keeps: public ones, or LAN and loopback too')
        .choices(['public', 'lan'])
        .default('public'),
    )
    .option('--api-port <port>', 'port of the local API on 127.0.0.1 (0: any free port)', '0')
    .action(async (flags: DaemonFlags, command: Command) => {
      const { output, profile } = commandContext(command)
      const log = createLog(output.json)
      // The terminal or pipe that read the ready line may go away: the node keeps running, logging on stderr.
      process.stdout.on('error', (error: Error) => {
        log('warn', 'stdout closed', { error: error.message })
      })
      const apiPort = Number(flags.apiPort)
      if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65_535) {
        command.error(`--api-port must be a port number, not "${flags.apiPort}"`, { exitCode: 2 })
      }
      const { startDaemon } = await import('../daemon/daemon.js')
      const daemon = await startDaemon({
        profile,
        apiPort,
        log,
        network: {
          mdns: flags.mdns,
          dht: flags.dht,
          ...(flags.relay ? { relayServer: true } : {}),
          ...(flags.listen ? { listen: flags.listen } : {}),
          ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}),
          ...(flags.rendezvous ? { rendezvousServers: flags.rendezvous } : {}),
        },
      })
      const ready = {
        event: 'ready',
        peerId: daemon.peerId,
        addresses: daemon.addresses,
        api: daemon.apiUrl,
        profile: profile.directory,
      }
      output.result(ready, () => [
        `wesh daemon ready: peer ${daemon.peerId}`,
        ...daemon.addresses.map((address) => `  listening on ${address}`),
        `  API ${daemon.apiUrl} (token in ${profile.tokenPath})`,
      ])
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => {
          resolve('SIGINT')
        })
        process.once('SIGTERM', () => {
          resolve('SIGTERM')
        })
      })
      // A second signal while stopping ends the process at once.
      process.once('SIGINT', () => process.exit(130))
      log('info', 'shutting down', { signal })
      await daemon.stop()
      log('info', 'stopped')
      // Everything of ours is closed and flushed. libp2p may still wait for a peer to close its side of a TCP
      // connection that carried relayed traffic (seen: ~45 s after stop); that wait holds nothing of ours.
      process.exit(0)
    })
}
