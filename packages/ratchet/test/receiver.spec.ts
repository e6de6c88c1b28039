import { CryptoErrorCode, WeshError, randomBytes } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  MAX_COUNTER,
  MAX_SKIP,
  MAX_SKIPPED_KEYS,
  RatchetErrorCode,
  RatchetReceiver,
  RatchetSender,
  type RatchetMessage,
} from '../src/index.js'

const groupId = randomBytes(32)
const text = (n: number) => new TextEncoder().encode(`message ${n}`)

function pair(limits = {}) {
  const sender = RatchetSender.create(groupId)
  const receiver = RatchetReceiver.create(groupId, sender.chain(), limits)
  return { sender, receiver }
}

function sendMany(sender: RatchetSender, count: number): RatchetMessage[] {
  return Array.from({ length: count }, (_, i) => sender.encrypt(text(i + 1)))
}

/** Runs `attempt`, expects a WeshError with `code`, and checks the receiver's state did not move. */
function expectRejected(receiver: RatchetReceiver, code: string, attempt: () => unknown): WeshError {
  const before = JSON.stringify(receiver.exportState())
  let caught: unknown
  try {
    attempt()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(WeshError)
  expect((caught as WeshError).code).toBe(code)
  expect(JSON.stringify(receiver.exportState())).toBe(before)
  return caught as WeshError
}

describe('RatchetReceiver', () => {
  it('reads messages in order', () => {
    const { sender, receiver } = pair()
    for (const message of sendMany(sender, 5))
      expect(receiver.decrypt(message.counter, message.ciphertext)).toEqual(text(message.counter))
    expect(receiver.counter).toBe(5)
    expect(receiver.skippedKeyCount).toBe(0)
  })

  it('derives forward over a gap and keeps the skipped keys for late messages', () => {
    const { sender, receiver } = pair()
    const messages = sendMany(sender, 10)
    const last = messages[9]!
    expect(receiver.decrypt(last.counter, last.ciphertext)).toEqual(text(10))
    expect(receiver.skippedKeyCount).toBe(9)
    for (const message of messages.slice(0, 9).reverse())
      expect(receiver.decrypt(message.counter, message.ciphertext)).toEqual(text(message.counter))
    expect(receiver.skippedKeyCount).toBe(0)
  })

  it(`derives exactly MAX_SKIP (${MAX_SKIP}) ahead and refuses MAX_SKIP + 1`, () => {
    const far = pair()
    const messages = sendMany(far.sender, MAX_SKIP + 1)
    const tooFar = messages[MAX_SKIP]!
    const error = expectRejected(far.receiver, RatchetErrorCode.RATCHET_TOO_FAR_AHEAD, () =>
      far.receiver.decrypt(tooFar.counter, tooFar.ciphertext),
    )
    expect(error.data).toEqual({ gap: MAX_SKIP + 1, max: MAX_SKIP })
    const atLimit = messages[MAX_SKIP - 1]!
    expect(far.receiver.decrypt(atLimit.counter, atLimit.ciphertext)).toEqual(text(MAX_SKIP))
  })

  it('honours a smaller maxSkip', () => {
    const { sender, receiver } = pair({ maxSkip: 3 })
    const messages = sendMany(sender, 4)
    expectRejected(receiver, RatchetErrorCode.RATCHET_TOO_FAR_AHEAD, () =>
      receiver.decrypt(4, messages[3]!.ciphertext),
    )
    expect(receiver.decrypt(3, messages[2]!.ciphertext)).toEqual(text(3))
  })

  it('refuses counters beyond 2^53 - 1 as too far ahead', () => {
    const { receiver } = pair()
    expectRejected(receiver, RatchetErrorCode.RATCHET_TOO_FAR_AHEAD, () =>
      receiver.decrypt(2n ** 64n - 1n, new Uint8Array(32)),
    )
  })

  it(`keeps MAX_SKIPPED_KEYS (${MAX_SKIPPED_KEYS}) skipped keys and evicts the oldest beyond`, () => {
    const { sender, receiver } = pair()
    const messages = sendMany(sender, MAX_SKIPPED_KEYS + 2)
    const last = messages[MAX_SKIPPED_KEYS + 1]!
    receiver.decrypt(last.counter, last.ciphertext)
    expect(receiver.skippedKeyCount).toBe(MAX_SKIPPED_KEYS)
    // MAX_SKIPPED_KEYS + 1 keys were skipped: message 1 was evicted, message 2 is the oldest kept.
    expectRejected(receiver, RatchetErrorCode.RATCHET_KEY_UNAVAILABLE, () =>
      receiver.decrypt(1, messages[0]!.ciphertext),
    )
    expect(receiver.decrypt(2, messages[1]!.ciphertext)).toEqual(text(2))
  })

  it('refuses a replayed message with RATCHET_KEY_UNAVAILABLE', () => {
    const { sender, receiver } = pair()
    const [first, second] = sendMany(sender, 2)
    receiver.decrypt(second!.counter, second!.ciphertext)
    receiver.decrypt(first!.counter, first!.ciphertext)
    expectRejected(receiver, RatchetErrorCode.RATCHET_KEY_UNAVAILABLE, () =>
      receiver.decrypt(first!.counter, first!.ciphertext),
    )
    expectRejected(receiver, RatchetErrorCode.RATCHET_KEY_UNAVAILABLE, () =>
      receiver.decrypt(second!.counter, second!.ciphertext),
    )
  })

  it('cannot read messages sent before the chain was shared', () => {
    const sender = RatchetSender.create(groupId)
    const early = sendMany(sender, 3)
    const newcomer = RatchetReceiver.create(groupId, sender.chain())
    for (const message of early)
      expectRejected(newcomer, RatchetErrorCode.RATCHET_KEY_UNAVAILABLE, () =>
        newcomer.decrypt(message.counter, message.ciphertext),
      )
    const later = sender.encrypt(text(4))
    expect(newcomer.decrypt(later.counter, later.ciphertext)).toEqual(text(4))
  })

  it('refuses forged and corrupted ciphertexts with RATCHET_AUTH_FAILED, ahead and behind', () => {
    const { sender, receiver } = pair()
    const [first, second] = sendMany(sender, 2)
    const forged = new Uint8Array(second!.ciphertext)
    forged[20]! ^= 0x01
    expectRejected(receiver, RatchetErrorCode.RATCHET_AUTH_FAILED, () => receiver.decrypt(2, forged))
    expectRejected(receiver, RatchetErrorCode.RATCHET_AUTH_FAILED, () => receiver.decrypt(2, randomBytes(40)))
    expectRejected(receiver, RatchetErrorCode.RATCHET_AUTH_FAILED, () =>
      receiver.decrypt(2, new Uint8Array(10)),
    )
    receiver.decrypt(2, second!.ciphertext)
    expectRejected(receiver, RatchetErrorCode.RATCHET_AUTH_FAILED, () =>
      receiver.decrypt(1, second!.ciphertext),
    )
    expect(receiver.decrypt(1, first!.ciphertext)).toEqual(text(1))
  })

  it('commits nothing when the check of a decrypted message fails, ahead and behind', () => {
    const { sender, receiver } = pair()
    const [first, second] = sendMany(sender, 2)
    const refuse = () => {
      throw new WeshError('SIGNATURE_REFUSED', 'refused by the caller')
    }
    expectRejected(receiver, 'SIGNATURE_REFUSED', () =>
      receiver.decrypt(2, second!.ciphertext, { check: refuse }),
    )
    let seen: Uint8Array | undefined
    expect(receiver.decrypt(2, second!.ciphertext, { check: (plaintext) => (seen = plaintext) })).toEqual(
      text(2),
    )
    expect(seen).toEqual(text(2))
    expectRejected(receiver, 'SIGNATURE_REFUSED', () =>
      receiver.decrypt(1, first!.ciphertext, { check: refuse }),
    )
    expect(receiver.decrypt(1, first!.ciphertext)).toEqual(text(1))
  })

  it('refuses a check that decrypts with its own receiver, and commits nothing', () => {
    const { sender, receiver } = pair()
    const [first, second, third] = sendMany(sender, 3)
    const reenter = () => receiver.decrypt(1, first!.ciphertext)
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () =>
      receiver.decrypt(3, third!.ciphertext, { check: reenter }),
    )
    expect(receiver.decrypt(3, third!.ciphertext)).toEqual(text(3))
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () =>
      receiver.decrypt(2, second!.ciphertext, { check: reenter }),
    )
    expect(receiver.decrypt(2, second!.ciphertext)).toEqual(text(2))
    expect(receiver.decrypt(1, first!.ciphertext)).toEqual(text(1))
  })

  it('validates its arguments with typed errors', () => {
    const { receiver } = pair()
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () => receiver.decrypt(-1, new Uint8Array(16)))
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () =>
      receiver.decrypt(1.5, new Uint8Array(16)),
    )
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () =>
      receiver.decrypt(-1n, new Uint8Array(16)),
    )
    expectRejected(receiver, CryptoErrorCode.INVALID_ARGUMENT, () =>
      receiver.decrypt(1, 'x' as unknown as Uint8Array),
    )
    expect(() =>
      RatchetReceiver.create(new Uint8Array(31), { chainKey: randomBytes(32), counter: 0 }),
    ).toThrow(expect.objectContaining({ code: CryptoErrorCode.INVALID_LENGTH }))
    expect(() => RatchetReceiver.create(groupId, { chainKey: randomBytes(32), counter: -1 })).toThrow(
      expect.objectContaining({ code: CryptoErrorCode.INVALID_ARGUMENT }),
    )
  })
})

describe('RatchetSender', () => {
  it('numbers messages from 1 and shares the chain at its current counter', () => {
    const sender = RatchetSender.create(groupId)
    expect(sender.counter).toBe(0)
    expect(sender.encrypt(text(1)).counter).toBe(1)
    expect(sender.chain().counter).toBe(1)
  })

  it('sends the message numbered MAX_COUNTER and then refuses with RATCHET_COUNTER_EXHAUSTED', () => {
    const sender = RatchetSender.create(groupId, { counter: MAX_COUNTER - 1 })
    expect(sender.encrypt(text(1)).counter).toBe(MAX_COUNTER)
    const before = JSON.stringify(sender.exportState())
    expect(() => sender.encrypt(text(2))).toThrow(
      expect.objectContaining({ code: RatchetErrorCode.RATCHET_COUNTER_EXHAUSTED }),
    )
    expect(JSON.stringify(sender.exportState())).toBe(before)
  })

  it('does not keep a reference to the caller’s chain key', () => {
    const chainKey = randomBytes(32)
    const sender = RatchetSender.create(groupId, { chainKey })
    const copy = new Uint8Array(chainKey)
    chainKey.fill(0)
    expect(sender.chain().chainKey).toEqual(copy)
  })
})
