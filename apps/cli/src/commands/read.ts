import type { Command } from 'commander'
import type { MessageView } from '../api/schema.js'
import { DEFAULT_READ_LIMIT } from '../constants.js'
import { messageLine } from '../text-format.js'
import { daemonContext, segment } from './context.js'

/** Path of a group's message stream. */
export function messagesPath(reference: string, options: { limit: number; follow: boolean }): string {
  return `/v1/groups/${segment(reference)}/messages?limit=${options.limit}&follow=${options.follow}`
}

export function registerRead(program: Command): void {
  program
    .command('read')
    .description('print the messages of a group, oldest first; with --json, one JSON object per line')
    .argument('<group>', 'group name or ID prefix')
    .option('-f, --follow', 'keep printing new messages as they arrive (Ctrl-C stops)')
    .option('-n, --limit <count>', 'how many of the last messages to print first', String(DEFAULT_READ_LIMIT))
    .action(async (reference: string, options: { follow?: boolean; limit: string }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const limit = Number(options.limit)
      if (!Number.isSafeInteger(limit) || limit < 0) {
        command.error(`--limit must be a count, not "${options.limit}"`, { exitCode: 2 })
      }
      const stop = new AbortController()
      process.once('SIGINT', () => {
        stop.abort()
      })
      const path = messagesPath(reference, { limit, follow: options.follow === true })
      for await (const message of client.lines<MessageView>(path, { signal: stop.signal })) {
        output.result(message, messageLine)
      }
    })
}
