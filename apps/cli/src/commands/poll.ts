import type { Command } from 'commander'
import type { PollView } from '../api/schema.js'
import { withSpinner } from '../spinner.js'
import { pollLines } from '../text-format.js'
import { daemonContext, segment } from './context.js'
import { withTimeout } from './timeout.js'

export function registerPoll(program: Command): void {
  const poll = program
    .command('poll')
    .description('polls in a group: one member, one vote; the last vote counts')

  poll
    .command('create')
    .description('ask a question with options')
    .argument('<group>', 'group name or ID prefix')
    .argument('<question>', 'the question')
    .argument('<options...>', 'the options, at least one')
    .action(
      async (reference: string, question: string, options: string[], _flags: unknown, command: Command) => {
        const { output, client } = await daemonContext(command)
        const created = await client.post<PollView>(`/v1/groups/${segment(reference)}/polls`, {
          question,
          options,
        })
        output.result(created, pollLines)
      },
    )

  poll
    .command('vote')
    .description('vote for an option, by its number as `wesh poll show` lists it or by its text')
    .argument('<group>', 'group name or ID prefix')
    .argument('<poll>', 'poll ID prefix')
    .argument('<option>', 'option number (from 1) or text')
    .action(async (reference: string, pollId: string, option: string, _flags: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      const voted = await client.post<PollView>(
        `/v1/groups/${segment(reference)}/polls/${segment(pollId)}/votes`,
        { option },
      )
      output.result(voted, pollLines)
    })

  poll
    .command('show')
    .description('show the polls of a group with their counts, or one poll')
    .argument('<group>', 'group name or ID prefix')
    .argument('[poll]', 'poll ID prefix')
    .option('--wait', 'with <poll>: wait until the poll has reached this node')
    .option('--voters <count>', 'with <poll>: wait until this many members have voted')
    .option('--timeout <seconds>', 'give up waiting after this long', '60')
    .action(
      async (
        reference: string,
        pollId: string | undefined,
        flags: { wait?: boolean; voters?: string; timeout: string },
        command: Command,
      ) => {
        const { output, client } = await daemonContext(command)
        const base = `/v1/groups/${segment(reference)}/polls`
        if (pollId === undefined) {
          output.result(await client.get<PollView[]>(base), (polls) =>
            polls.length === 0 ? 'no polls yet' : polls.flatMap(pollLines),
          )
          return
        }
        const voters = flags.voters === undefined ? 0 : Number(flags.voters)
        if (!Number.isSafeInteger(voters) || voters < 0) {
          command.error(`--voters must be a count, not "${flags.voters ?? ''}"`, { exitCode: 2 })
        }
        const wait = flags.wait === true || voters > 0
        const path = `${base}/${segment(pollId)}?wait=${wait}&voters=${voters}`
        const poll = wait
          ? await withSpinner(output, 'waiting for the poll', () =>
              withTimeout(flags.timeout, command, (signal) => client.get<PollView>(path, { signal })),
            )
          : await client.get<PollView>(path)
        output.result(poll, pollLines)
      },
    )
}
