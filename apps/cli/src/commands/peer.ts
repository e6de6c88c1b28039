import type { Command } from 'commander'
import { withSpinner } from '../spinner.js'
import { daemonContext } from './context.js'

export function registerPeer(program: Command): void {
  const peer = program.command('peer').description('peers of the node')
  peer
    .command('connect')
    .description('connect to a peer now (a multiaddr ending with /p2p/<peer ID>, as `wesh status` shows)')
    .argument('<multiaddr>', 'where the peer listens')
    .action(async (address: string, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const connected = await withSpinner(output, `connecting to ${address}`, () =>
        client.post<{ peer: string; address: string }>('/v1/peers', { multiaddr: address }),
      )
      output.result(connected, (result) => `connected to ${result.peer} at ${result.address}`)
    })
}
