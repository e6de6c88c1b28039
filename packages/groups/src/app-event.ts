import { CryptoErrorCode, WeshError, randomBytes, utf8ToBytes } from '@wesh/crypto'
import {
  MAX_GROUP_NAME_BYTES,
  MAX_POLL_OPTION_BYTES,
  MAX_POLL_OPTIONS,
  MAX_POLL_QUESTION_BYTES,
  POLL_ID_BYTES,
} from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { decodeWire, encodeWire } from './wire.js'

/** Marks Wesh's own payloads inside `GroupMetadataPayloadSent.message` (event 1001). */
export const WESH_APP_SCHEMA = 'wesh.app.v1'

/** Wesh's application events, carried as the `message` of a `GroupMetadataPayloadSent` event. */
export type AppEvent =
  | { readonly kind: 'group-name'; readonly name: string }
  | {
      readonly kind: 'poll-created'
      readonly pollId: Uint8Array
      readonly question: string
      readonly options: readonly string[]
    }
  | { readonly kind: 'poll-voted'; readonly pollId: Uint8Array; readonly option: number }

/** Bytes of `event` for `GroupMetadataPayloadSent.message`; throws `INVALID_ARGUMENT` past the limits. */
export function encodeAppEvent(event: AppEvent): Uint8Array {
  checkAppEvent(event, (message) => {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, message)
  })
  switch (event.kind) {
    case 'group-name':
      return encodeWire('WeshAppEvent', { schema: WESH_APP_SCHEMA, groupName: { name: event.name } })
    case 'poll-created':
      return encodeWire('WeshAppEvent', {
        schema: WESH_APP_SCHEMA,
        pollCreated: { pollId: event.pollId, question: event.question, options: event.options },
      })
    case 'poll-voted':
      return encodeWire('WeshAppEvent', {
        schema: WESH_APP_SCHEMA,
        pollVoted: { pollId: event.pollId, option: event.option },
      })
  }
}

/**
 * Reads a `GroupMetadataPayloadSent.message`. Returns `undefined` for bytes that are not a Wesh application event
 * (another application's payload); throws `MALFORMED_MESSAGE` for a Wesh event that breaks the limits.
 */
export function decodeAppEvent(bytes: Uint8Array): AppEvent | undefined {
  let decoded
  try {
    decoded = decodeWire('WeshAppEvent', bytes)
  } catch {
    return undefined // not ours: any application may use event 1001
  }
  if (decoded.schema !== WESH_APP_SCHEMA) return undefined
  const { groupName, pollCreated, pollVoted } = decoded
  const set = [groupName, pollCreated, pollVoted].filter((field) => field !== undefined).length
  if (set !== 1) throw malformed('a Wesh application event sets exactly one kind')
  let event: AppEvent
  if (groupName !== undefined) event = { kind: 'group-name', name: groupName.name }
  else if (pollCreated !== undefined) {
    event = {
      kind: 'poll-created',
      pollId: new Uint8Array(pollCreated.pollId),
      question: pollCreated.question,
      options: pollCreated.options,
    }
  } else if (pollVoted !== undefined) {
    event = { kind: 'poll-voted', pollId: new Uint8Array(pollVoted.pollId), option: pollVoted.option }
  } else throw malformed('a Wesh application event sets exactly one kind')
  checkAppEvent(event, (message) => {
    throw malformed(message)
  })
  return event
}

/** A `poll-created` event with a fresh random poll ID (or the one given). */
export function createPoll(args: { question: string; options: readonly string[]; pollId?: Uint8Array }): {
  pollId: Uint8Array
  event: AppEvent
} {
  const pollId = args.pollId ?? randomBytes(POLL_ID_BYTES)
  const event: AppEvent = {
    kind: 'poll-created',
    pollId,
    question: args.question,
    options: [...args.options],
  }
  encodeAppEvent(event) // validates
  return { pollId, event }
}

function checkAppEvent(event: AppEvent, fail: (message: string) => never): void {
  switch (event.kind) {
    case 'group-name':
      if (typeof event.name !== 'string' || utf8ToBytes(event.name).length > MAX_GROUP_NAME_BYTES) {
        fail(`group name must be at most ${MAX_GROUP_NAME_BYTES} UTF-8 bytes`)
      }
      return
    case 'poll-created': {
      assertPollId(event.pollId, fail)
      if (
        typeof event.question !== 'string' ||
        utf8ToBytes(event.question).length > MAX_POLL_QUESTION_BYTES
      ) {
        fail(`poll question must be at most ${MAX_POLL_QUESTION_BYTES} UTF-8 bytes`)
      }
      if (
        !Array.isArray(event.options) ||
        event.options.length < 2 ||
        event.options.length > MAX_POLL_OPTIONS
      ) {
        fail(`a poll has 2..${MAX_POLL_OPTIONS} options`)
      }
      for (const option of event.options) {
        if (typeof option !== 'string' || utf8ToBytes(option).length > MAX_POLL_OPTION_BYTES) {
          fail(`poll options must be at most ${MAX_POLL_OPTION_BYTES} UTF-8 bytes`)
        }
      }
      return
    }
    case 'poll-voted':
      assertPollId(event.pollId, fail)
      if (!Number.isInteger(event.option) || event.option < 0 || event.option >= MAX_POLL_OPTIONS) {
        fail(`vote option must be an integer in 0..${MAX_POLL_OPTIONS - 1}`)
      }
      return
    default:
      fail('unknown application event kind')
  }
}

function assertPollId(pollId: unknown, fail: (message: string) => never): void {
  if (!(pollId instanceof Uint8Array) || pollId.length !== POLL_ID_BYTES)
    fail(`poll ID must be ${POLL_ID_BYTES} bytes`)
}

function malformed(message: string) {
  return groupsError(GroupsErrorCode.MALFORMED_MESSAGE, message)
}
