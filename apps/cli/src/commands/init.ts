import type { Command } from 'commander'
import { toHex } from '@wesh/crypto'
import { withSpinner } from '../spinner.js'
import { commandContext } from './context.js'

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a profile: a private directory with a store key (mode 0600) and a new account')
    .option('--name <name>', 'the name others see in your contact card', '')
    .action(async (options: { name: string }, command: Command) => {
      const { output, profile } = commandContext(command)
      const storeKey = await profile.create({ v: 1, name: options.name })
      const accountId = await withSpinner(output, 'creating the account', async () => {
        // Loaded here only: the node stack takes seconds to load, and the client commands never need it.
        const { createAccount } = await import('../daemon/daemon.js')
        return createAccount(profile, storeKey)
      }).catch(async (error: unknown) => {
        await profile.discard()
        throw error
      })
      output.result(
        { profile: profile.directory, accountId: toHex(accountId), name: options.name },
        (result) => [
          `profile ${result.profile}`,
          `account ${result.accountId}`,
          'next: run `wesh daemon`, then `wesh id` to share your contact card',
        ],
      )
    })
}
