import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import type { GroupView, MessageView } from '../api/schema.js'
import { groupLabel, messageLine } from '../text-format.js'
import { daemonContext, segment } from './context.js'
import { messagesPath } from './read.js'

/** Messages shown when a chat opens. */
const CHAT_HISTORY = 20

export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('chat in a group: each line you type is sent, messages stream in (Ctrl-D or Ctrl-C leaves)')
    .argument('<group>', 'group name or ID prefix')
    .action(async (reference: string, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const group = await client.get<GroupView>(`/v1/groups/${segment(reference)}`)
      // Resolved once: the chat stays in this group even if another gets a matching name meanwhile.
      const path = `/v1/groups/${group.id}`
      const terminal = process.stdin.isTTY && process.stdout.isTTY && !output.json
      const lines = createInterface({ input: process.stdin, output: process.stdout, terminal })
      lines.setPrompt(`${group.name ?? 'chat'}> `)
      output.note(`chatting in ${groupLabel(group)}; Ctrl-D leaves`)
      const stop = new AbortController()
      const show = (message: MessageView) => {
        if (!terminal) {
          output.result(message, messageLine)
          return
        }
        // Print above the line being typed, then redraw it.
        process.stdout.write('\r\x1b[2K')
        output.result(message, messageLine)
        lines.prompt(true)
      }
      let failure: Error | undefined
      const incoming = (async () => {
        for await (const message of client.lines<MessageView>(
          messagesPath(group.id, { limit: CHAT_HISTORY, follow: true }),
          { signal: stop.signal },
        )) {
          // Our own lines come back from the daemon too; on a terminal they are already on screen.
          if (terminal && message.self) continue
          show(message)
        }
      })().catch((error: unknown) => {
        failure = error instanceof Error ? error : new Error(String(error))
        lines.close()
      })
      let sending = Promise.resolve()
      lines.on('line', (line) => {
        const text = line.trim()
        if (text !== '') {
          // In order, one at a time; a failed send is reported and the chat goes on.
          sending = sending
            .then(async () => {
              await client.post(`${path}/messages`, { text })
            })
            .catch((error: unknown) => {
              output.error(error)
            })
        }
        if (terminal) lines.prompt()
      })
      if (terminal) lines.prompt()
      await new Promise<void>((resolve) => {
        lines.once('close', resolve)
        process.once('SIGINT', () => {
          lines.close()
        })
      })
      await sending
      stop.abort()
      await incoming
      if (failure !== undefined) throw failure
    })
}
