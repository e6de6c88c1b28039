import { toHex } from '@wesh/crypto'
import type { Command } from 'commander'
import type { LinkEvent } from '../api/schema.js'
import { terminalQr } from '../qr.js'
import { withSpinner } from '../spinner.js'
import { commandContext, daemonContext, valueOrStdin } from './context.js'
import { withTimeout } from './timeout.js'

export function registerDevice(program: Command): void {
  const device = program
    .command('device')
    .description('the devices of your account: link a new one by a one-time code')

  device
    .command('link')
    .description('show a one-time code (link and QR, 5 minutes) that another device joins your account with')
    .option('--no-qr', 'print the link only')
    .option('--no-wait', 'print the code and return at once, instead of waiting until a device used it')
    .action(async (options: { qr: boolean; wait: boolean }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const stop = new AbortController()
      process.once('SIGINT', () => {
        stop.abort() // the daemon revokes the code when we hang up
      })
      for await (const event of client.lines<LinkEvent>('/v1/devices/link', {
        body: { wait: options.wait },
        signal: stop.signal,
      })) {
        if (event.event === 'code') {
          const qr = options.qr && !output.json ? await terminalQr(event.link) : ''
          output.result(event, (view) => [
            ...(qr ? [qr] : []),
            view.link,
            `on the new device: wesh --profile <new dir> device join '<this link>' (valid until ${new Date(
              view.expiresAt,
            ).toLocaleTimeString()})`,
          ])
          if (options.wait) output.note('waiting for the new device…')
        } else if (event.event === 'refused') {
          output.result(event, (view) => `an attempt from ${view.peer} was refused (${view.code})`)
        } else {
          output.result(event, (view) => `linked: device ${view.peer} is now part of your account`)
        }
      }
    })

  device
    .command('join')
    .description(
      'make a new profile for this device from a code shown by `wesh device link` on one of your devices',
    )
    .argument('<code>', 'the wesh://link/… code, or - to read it from standard input')
    .option('--name <name>', 'the name others see in your contact card from this device', '')
    .option('--timeout <seconds>', 'give up after this long', '120')
    .action(async (value: string, options: { name: string; timeout: string }, command: Command) => {
      const { output, profile } = commandContext(command)
      const code = (await valueOrStdin(value)).trim()
      // Checked before the profile exists: a code that does not parse leaves nothing behind.
      const { parseLinkCode } = await import('@wesh/contacts')
      parseLinkCode(code)
      const storeKey = await profile.create({ v: 1, name: options.name })
      const accountId = await withSpinner(output, 'receiving the account from the other device', () =>
        withTimeout(options.timeout, command, async (signal) => {
          // Loaded here only, as in `init`: the node stack takes seconds to load.
          const { joinAccount } = await import('../daemon/daemon.js')
          return joinAccount(profile, storeKey, code, signal)
        }),
      ).catch(async (error: unknown) => {
        await profile.discard()
        throw error
      })
      output.result(
        { profile: profile.directory, accountId: toHex(accountId), name: options.name },
        (result) => [
          `profile ${result.profile}`,
          `account ${result.accountId} (linked)`,
          'next: run `wesh daemon` on this profile; your groups and contacts are there',
        ],
      )
    })
}
