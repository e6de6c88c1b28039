import { randomBytes } from '@wesh/crypto'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { RatchetReceiver, RatchetSender, type ReceiverStateV1 } from '../src/index.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 200)
const groupId = randomBytes(32)

function chainOf(count: number) {
  const sender = RatchetSender.create(groupId)
  const shared = sender.chain()
  const messages = Array.from({ length: count }, (_, i) => sender.encrypt(Uint8Array.of(i & 0xff, i >> 8)))
  return { shared, messages }
}

// A delivery: which messages arrive, how often, and in what order.
const delivery = fc.integer({ min: 1, max: 200 }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    order: fc.array(fc.integer({ min: 0, max: count - 1 }), { maxLength: 2 * count }),
  }),
)

it('any permutation, duplication or loss of up to 200 messages reads exactly the delivered ones, once', () => {
  fc.assert(
    fc.property(delivery, ({ count, order }) => {
      const { shared, messages } = chainOf(count)
      const receiver = RatchetReceiver.create(groupId, shared)
      const read = new Set<number>()
      for (const index of order) {
        const message = messages[index]!
        const before = JSON.stringify(receiver.exportState())
        try {
          expect(receiver.decrypt(message.counter, message.ciphertext)).toEqual(
            Uint8Array.of(index & 0xff, index >> 8),
          )
          expect(read.has(index)).toBe(false)
          read.add(index)
        } catch (error) {
          expect(read.has(index)).toBe(true) // only a duplicate may fail
          expect(error).toMatchObject({ code: 'RATCHET_KEY_UNAVAILABLE' })
          expect(JSON.stringify(receiver.exportState())).toBe(before)
        }
      }
      expect(read).toEqual(new Set(order))
    }),
    { numRuns: RUNS },
  )
})

it('a bit flip anywhere in counter or ciphertext is refused and leaves the state unchanged', () => {
  const { shared, messages } = chainOf(8)
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 0, max: 7 }),
      fc.nat(),
      fc.boolean(),
      (readFirst, target, bit, flipCounter) => {
        const receiver = RatchetReceiver.create(groupId, shared)
        const early = messages[readFirst]!
        receiver.decrypt(early.counter, early.ciphertext)
        const message = messages[target]!
        const before = JSON.stringify(receiver.exportState())
        let counter = message.counter
        const ciphertext = new Uint8Array(message.ciphertext)
        if (flipCounter) counter ^= 1 << (bit % 20)
        else ciphertext[(bit >> 3) % ciphertext.length]! ^= 1 << (bit & 7)
        expect(() => receiver.decrypt(counter, ciphertext)).toThrow(
          expect.objectContaining({
            code: expect.stringMatching(/^RATCHET_(AUTH_FAILED|KEY_UNAVAILABLE|TOO_FAR_AHEAD)$/),
          }),
        )
        expect(JSON.stringify(receiver.exportState())).toBe(before)
        if (target !== readFirst) expect(receiver.decrypt(message.counter, message.ciphertext)).toBeDefined()
      },
    ),
    { numRuns: RUNS * 2 },
  )
})

it('state round-trips through JSON serialisation at any point of a delivery', () => {
  fc.assert(
    fc.property(delivery, fc.nat(), ({ count, order }, cut) => {
      const { shared, messages } = chainOf(count)
      let receiver = RatchetReceiver.create(groupId, shared)
      const reference = RatchetReceiver.create(groupId, shared)
      const at = order.length === 0 ? 0 : cut % order.length
      order.forEach((index, position) => {
        if (position === at) {
          receiver = RatchetReceiver.fromState(
            JSON.parse(JSON.stringify(receiver.exportState())) as ReceiverStateV1,
          )
        }
        const message = messages[index]!
        const outcome = (r: RatchetReceiver) => {
          try {
            return r.decrypt(message.counter, message.ciphertext)
          } catch (error) {
            return (error as { code: string }).code
          }
        }
        expect(outcome(receiver)).toEqual(outcome(reference))
      })
      expect(receiver.exportState()).toEqual(reference.exportState())
    }),
    { numRuns: RUNS },
  )
})
