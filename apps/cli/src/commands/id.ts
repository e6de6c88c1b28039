import type { Command } from 'commander'
import type { IdView } from '../api/schema.js'
import { terminalQr } from '../qr.js'
import { daemonContext } from './context.js'

export function registerId(program: Command): void {
  program
    .command('id')
    .description('show your contact card as a wesh://contact/… link and a QR code')
    .option('--no-qr', 'print the link only')
    .option(
      '--renew',
      'make a new card: cards shared before no longer reach you (requests already sent stay)',
    )
    .action(async (options: { qr: boolean; renew?: boolean }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const id = options.renew
        ? await client.post<IdView>('/v1/id/renew', {})
        : await client.get<IdView>('/v1/id')
      const qr = options.qr && !output.json ? await terminalQr(id.link) : ''
      output.result(id, (view) => [
        ...(qr ? [qr] : []),
        `account ${view.accountId}${view.name ? ` (${view.name})` : ''}`,
        view.link,
        ...(view.contactRequests ? [] : ['not taking contact requests: `wesh contact enable` to take them']),
      ])
    })
}
