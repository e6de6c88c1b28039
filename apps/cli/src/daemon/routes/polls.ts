import { toHex } from '@wesh/crypto'
import type { PollView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import type { DaemonContext } from '../context.js'
import { findGroup } from '../group-lookup.js'
import { findOption, findPoll } from '../poll-lookup.js'
import { countParameter, stringField, stringListField } from '../request-fields.js'
import { pollView } from '../views.js'

/** Polls: `wesh poll create|vote|show`. */
export function pollRoutes({ account }: DaemonContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/groups/:group/polls',
      kind: 'json',
      async handle({ params }): Promise<PollView[]> {
        const session = await findGroup(account, params.group ?? '')
        return [...session.state.polls.values()].map((poll) => pollView(session, poll))
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/polls',
      kind: 'json',
      async handle({ params, body }): Promise<PollView> {
        const question = stringField(body, 'question')
        const options = stringListField(body, 'options')
        const session = await findGroup(account, params.group ?? '')
        const pollId = await session.createPoll(question, options)
        await session.settled() // the fold has read our event: the poll is in the state
        return pollView(session, findPoll(session, toHex(pollId)))
      },
    },
    {
      method: 'GET',
      path: '/v1/groups/:group/polls/:poll',
      kind: 'json',
      async handle({ params, query, signal }): Promise<PollView> {
        const session = await findGroup(account, params.group ?? '')
        const reference = params.poll ?? ''
        // ?wait=true: until the poll reached us; ?voters=N: until N members' votes reached us.
        const voters = countParameter(query, 'voters', 0)
        if (query.get('wait') === 'true' || voters > 0) {
          const prefix = reference.trim().toLowerCase()
          await session.waitFor(
            (current) =>
              [...current.state.polls.entries()].some(
                ([id, poll]) => id.startsWith(prefix) && poll.votes.size >= voters,
              ),
            { signal },
          )
        }
        return pollView(session, findPoll(session, reference))
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/polls/:poll/votes',
      kind: 'json',
      async handle({ params, body }): Promise<PollView> {
        const session = await findGroup(account, params.group ?? '')
        const poll = findPoll(session, params.poll ?? '')
        await session.vote(poll.pollId, findOption(poll, stringField(body, 'option')))
        await session.settled()
        return pollView(session, findPoll(session, toHex(poll.pollId)))
      },
    },
  ]
}
