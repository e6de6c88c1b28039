import type { Command } from 'commander'
import { daemonContext, segment, valueOrStdin } from './context.js'

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send a message to a group (`-` reads the text from standard input)')
    .argument('<group>', 'group name or ID prefix')
    .argument('<text...>', 'the message; several words are joined by spaces')
    .action(async (reference: string, words: string[], _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const text = words.length === 1 && words[0] === '-' ? await valueOrStdin('-') : words.join(' ')
      const sent = await client.post<{ id: string }>(`/v1/groups/${segment(reference)}/messages`, { text })
      output.result(sent, (result) => `sent ${result.id}`)
    })
}
