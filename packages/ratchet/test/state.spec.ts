import { inspect } from 'node:util'
import fc from 'fast-check'
import { fromBase64, randomBytes, toBase64, toHex } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  RatchetErrorCode,
  RatchetReceiver,
  RatchetSender,
  type ReceiverStateV1,
  type SenderStateV1,
} from '../src/index.js'
import { SkippedKeys } from '../src/skipped-keys.js'

const groupId = randomBytes(32)

describe('secrets', () => {
  it('never appear in JSON or inspect output', () => {
    const sender = RatchetSender.create(groupId)
    const receiver = RatchetReceiver.create(groupId, sender.chain())
    const late = sender.encrypt(new Uint8Array(1))
    const next = sender.encrypt(new Uint8Array(1))
    receiver.decrypt(next.counter, next.ciphertext) // leaves one skipped key
    const secrets = [
      sender.exportState().chainKey,
      receiver.exportState().chainKey,
      receiver.exportState().skipped[0]![1],
    ]
    for (const shown of [
      JSON.stringify(sender),
      JSON.stringify(receiver),
      inspect(sender, { showHidden: true }),
      inspect(receiver, { showHidden: true }),
      JSON.stringify({ receiver }),
    ]) {
      for (const secret of secrets) {
        expect(shown).not.toContain(secret)
        expect(shown).not.toContain(toHex(fromBase64(secret)))
      }
    }
    expect(JSON.parse(JSON.stringify(receiver))).toEqual({
      kind: 'RatchetReceiver',
      groupId: toHex(groupId),
      counter: 2,
      chainKey: '[redacted]',
    })
    expect(receiver.decrypt(late.counter, late.ciphertext)).toEqual(new Uint8Array(1))
  })

  it('are erased when spent, evicted or destroyed', () => {
    const cache = new SkippedKeys(1)
    const spent = randomBytes(32)
    const evicted = randomBytes(32)
    cache.add(1, evicted)
    cache.add(2, spent)
    expect(evicted).toEqual(new Uint8Array(32))
    cache.spend(2)
    expect(spent).toEqual(new Uint8Array(32))

    const sender = RatchetSender.create(groupId)
    sender.destroy()
    expect(() => sender.encrypt(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: RatchetErrorCode.RATCHET_DESTROYED }),
    )
    expect(() => sender.exportState()).toThrow(
      expect.objectContaining({ code: RatchetErrorCode.RATCHET_DESTROYED }),
    )
  })
})

describe('serialised state', () => {
  const sender = RatchetSender.create(groupId)
  const valid: ReceiverStateV1 = { ...RatchetReceiver.create(groupId, sender.chain()).exportState() }

  it('restores a sender that continues the same chain', () => {
    const restored = RatchetSender.fromState(
      JSON.parse(JSON.stringify(sender.exportState())) as SenderStateV1,
    )
    const receiver = RatchetReceiver.create(groupId, sender.chain())
    const message = restored.encrypt(new Uint8Array([7]))
    expect(receiver.decrypt(message.counter, message.ciphertext)).toEqual(new Uint8Array([7]))
  })

  it.each([
    ['a missing object', null],
    ['an unknown version', { ...valid, v: 2 }],
    ['a version that throws when printed', { ...valid, v: { toString: false } }],
    ['a short chain key', { ...valid, chainKey: toBase64(new Uint8Array(31)) }],
    ['a non-base64 group ID', { ...valid, groupId: '!!!' }],
    ['a negative counter', { ...valid, counter: -1 }],
    ['a fractional counter', { ...valid, counter: 1.5 }],
    ['skipped keys that are not an array', { ...valid, skipped: {} }],
    [
      'a skipped key at or after the chain counter',
      { ...valid, counter: 3, skipped: [[3, toBase64(new Uint8Array(32))]] },
    ],
    [
      'skipped counters out of order',
      {
        ...valid,
        counter: 9,
        skipped: [
          [2, toBase64(new Uint8Array(32))],
          [1, toBase64(new Uint8Array(32))],
        ],
      },
    ],
    ['a malformed skipped entry', { ...valid, counter: 9, skipped: [[1]] }],
  ])('refuses %s with RATCHET_INVALID_STATE', (_, state) => {
    expect(() => RatchetReceiver.fromState(state as ReceiverStateV1)).toThrow(
      expect.objectContaining({ code: RatchetErrorCode.RATCHET_INVALID_STATE }),
    )
  })
})

describe('state parser', () => {
  it('refuses any malformed state with RATCHET_INVALID_STATE and never throws anything else', () => {
    const sender = RatchetSender.create(groupId)
    const valid = RatchetReceiver.create(groupId, sender.chain()).exportState()
    const field = fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.constant(valid.chainKey))
    fc.assert(
      fc.property(
        fc.record(
          {
            v: fc.oneof(fc.constant(1), field),
            groupId: field,
            chainKey: field,
            counter: field,
            skipped: field,
          },
          { requiredKeys: [] },
        ),
        (state) => {
          try {
            RatchetReceiver.fromState(state as unknown as ReceiverStateV1)
          } catch (error) {
            expect(error).toMatchObject({ code: RatchetErrorCode.RATCHET_INVALID_STATE })
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2_000) },
    )
  })
})
