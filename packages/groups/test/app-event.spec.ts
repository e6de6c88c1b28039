import { describe, expect, it } from 'vitest'
import {
  MAX_GROUP_NAME_BYTES,
  MAX_POLL_OPTION_BYTES,
  MAX_POLL_OPTIONS,
  MAX_POLL_QUESTION_BYTES,
  POLL_ID_BYTES,
  type AppEvent,
  createPoll,
  decodeAppEvent,
  encodeAppEvent,
  encodeWire,
} from '../src/index.js'
import { expectCode } from './helpers.js'

describe('Wesh application events (in GroupMetadataPayloadSent)', () => {
  const pollId = new Uint8Array(POLL_ID_BYTES).fill(9)
  const options = (n: number, size = 1) => Array.from({ length: n }, (_, i) => String(i % 10).repeat(size))

  it.each<[string, AppEvent]>([
    ['group name', { kind: 'group-name', name: 'Friends' }],
    ['poll', { kind: 'poll-created', pollId, question: 'When?', options: ['now', 'later'] }],
    ['vote', { kind: 'poll-voted', pollId, option: 1 }],
  ])('round-trips a %s', (_, event) => {
    expect(decodeAppEvent(encodeAppEvent(event))).toEqual(event)
  })

  it('creates polls with a random 16-byte ID', () => {
    const { pollId: id } = createPoll({ question: 'q', options: ['a', 'b'] })
    expect(id).toHaveLength(POLL_ID_BYTES)
  })

  it.each<[string, (n: number) => AppEvent, number]>([
    ['group name bytes', (n) => ({ kind: 'group-name', name: 'x'.repeat(n) }), MAX_GROUP_NAME_BYTES],
    [
      'poll question bytes',
      (n) => ({ kind: 'poll-created', pollId, question: 'x'.repeat(n), options: ['a', 'b'] }),
      MAX_POLL_QUESTION_BYTES,
    ],
    [
      'poll option bytes',
      (n) => ({ kind: 'poll-created', pollId, question: 'q', options: ['a', 'x'.repeat(n)] }),
      MAX_POLL_OPTION_BYTES,
    ],
    [
      'poll options',
      (n) => ({ kind: 'poll-created', pollId, question: 'q', options: options(n) }),
      MAX_POLL_OPTIONS,
    ],
    ['vote option index', (n) => ({ kind: 'poll-voted', pollId, option: n - 1 }), MAX_POLL_OPTIONS],
  ])('accepts %s at the limit and refuses one more', (_, make, limit) => {
    expect(decodeAppEvent(encodeAppEvent(make(limit)))).toEqual(make(limit))
    expectCode(() => encodeAppEvent(make(limit + 1)), 'INVALID_ARGUMENT')
  })

  it('refuses polls with fewer than two options and poll IDs of the wrong length', () => {
    expectCode(() => createPoll({ question: 'q', options: ['only'] }), 'INVALID_ARGUMENT')
    expectCode(
      () => encodeAppEvent({ kind: 'poll-voted', pollId: new Uint8Array(15), option: 0 }),
      'INVALID_ARGUMENT',
    )
  })

  it('returns undefined for other applications’ payloads and rejects broken Wesh ones', () => {
    expect(decodeAppEvent(new TextEncoder().encode('{"hello":"app"}'))).toBeUndefined()
    expect(
      decodeAppEvent(encodeWire('WeshAppEvent', { schema: 'other.v1', groupName: { name: 'x' } })),
    ).toBeUndefined()
    expectCode(
      () => decodeAppEvent(encodeWire('WeshAppEvent', { schema: 'wesh.app.v1' })),
      'MALFORMED_MESSAGE',
    )
    expectCode(
      () =>
        decodeAppEvent(
          encodeWire('WeshAppEvent', {
            schema: 'wesh.app.v1',
            groupName: { name: 'a' },
            pollVoted: { pollId, option: 0 },
          }),
        ),
      'MALFORMED_MESSAGE',
    )
    expectCode(
      () =>
        decodeAppEvent(
          encodeWire('WeshAppEvent', { schema: 'wesh.app.v1', pollVoted: { pollId: new Uint8Array(3) } }),
        ),
      'MALFORMED_MESSAGE',
    )
  })
})
