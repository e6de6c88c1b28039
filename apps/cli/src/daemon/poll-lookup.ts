import { CryptoErrorCode, WeshError } from '@wesh/crypto'
import type { PollState } from '@wesh/groups'
import type { GroupSession } from '@wesh/groups/node'
import { CliErrorCode, cliError } from '../errors.js'

/** The poll of `session` whose ID (hex) starts with `reference`. Throws `POLL_UNKNOWN` or `AMBIGUOUS_POLL`. */
export function findPoll(session: GroupSession, reference: string): PollState {
  const wanted = reference.trim().toLowerCase()
  const matches = /^[0-9a-f]+$/.test(wanted)
    ? [...session.state.polls.entries()].filter(([id]) => id.startsWith(wanted))
    : []
  const [first, ...others] = matches
  if (first === undefined) {
    throw cliError(CliErrorCode.POLL_UNKNOWN, `no poll "${reference}" in this group`, { data: { reference } })
  }
  if (others.length > 0) {
    throw cliError(CliErrorCode.AMBIGUOUS_POLL, `"${reference}" matches ${matches.length} polls`, {
      data: { reference, matches: matches.map(([id]) => id) },
    })
  }
  return first[1]
}

/** The option index a person means: its number as listed (from 1) or its text (any case). */
export function findOption(poll: PollState, reference: string): number {
  const wanted = reference.trim()
  const byText = poll.options.findIndex((option) => option.toLowerCase() === wanted.toLowerCase())
  if (byText >= 0) return byText
  const number = /^\d+$/.test(wanted) ? Number(wanted) : NaN
  if (number >= 1 && number <= poll.options.length) return number - 1
  throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, `"${reference}" is not an option of this poll`, {
    data: { argument: 'option', options: [...poll.options] },
  })
}
