import { readFileSync } from 'node:fs'
import { fromHex, nativeBackend, pureBackend, sha256, toHex, useCryptoBackend } from '@wesh/crypto'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { RatchetReceiver, RatchetSender, messageNonce, ratchetStep } from '../src/index.js'

interface Step {
  counter: number
  chainKeyBefore: string
  messageKey: string
  nextChainKey: string
  nonce: string
  plaintext: string
  ciphertext: string
}
interface Chain {
  name: string
  groupId: string
  initialChainKey: string
  initialCounter: number
  steps: Step[]
  finalChainKey: string
  finalCounter: number
  ciphertextSha256OfAll?: string
}
// Produced by tooling/vectors/generate.py (Python, libsodium), never by this package.
const { chains } = JSON.parse(readFileSync(new URL('./vectors/ratchet.json', import.meta.url), 'utf8')) as {
  chains: Chain[]
}

// Every chain through both of @wesh/crypto's HKDF implementations (JavaScript, and Node's native hash).
const backends = [pureBackend, ...(nativeBackend ? [nativeBackend] : [])].map((backend) => backend.name)
const cases = backends.flatMap((backend) => chains.map((chain) => [chain.name, backend, chain] as const))

describe.each(cases)('chain %s, %s backend', (_, backend, chain) => {
  beforeEach(() => useCryptoBackend(backend))
  afterAll(() => useCryptoBackend('auto'))
  const groupId = fromHex(chain.groupId)
  const plaintextOf = (counter: number) =>
    fromHex(
      chain.steps.find((step) => step.counter === counter)?.plaintext ??
        toHex(new TextEncoder().encode(`wesh message ${counter}`)),
    )

  it('derives every listed step, nonce and ciphertext', () => {
    for (const step of chain.steps) {
      const { nextChainKey, messageKey } = ratchetStep(fromHex(step.chainKeyBefore), groupId)
      expect(toHex(messageKey)).toBe(step.messageKey)
      expect(toHex(nextChainKey)).toBe(step.nextChainKey)
      expect(toHex(messageNonce(step.counter))).toBe(step.nonce)
    }
  })

  it('sends and receives the whole chain byte for byte', () => {
    const start = { chainKey: fromHex(chain.initialChainKey), counter: chain.initialCounter }
    const sender = RatchetSender.create(groupId, start)
    const receiver = RatchetReceiver.create(groupId, start)
    const listed = new Map(chain.steps.map((step) => [step.counter, step]))
    const ciphertexts: Uint8Array[] = []
    for (let counter = chain.initialCounter + 1; counter <= chain.finalCounter; counter++) {
      const message = sender.encrypt(plaintextOf(counter))
      expect(message.counter).toBe(counter)
      const step = listed.get(counter)
      if (step) expect(toHex(message.ciphertext)).toBe(step.ciphertext)
      expect(receiver.decrypt(counter, message.ciphertext)).toEqual(plaintextOf(counter))
      ciphertexts.push(message.ciphertext)
    }
    expect(sender.exportState().chainKey).toBe(Buffer.from(chain.finalChainKey, 'hex').toString('base64'))
    expect(receiver.exportState().chainKey).toBe(Buffer.from(chain.finalChainKey, 'hex').toString('base64'))
    if (chain.ciphertextSha256OfAll) {
      const all = Buffer.concat(ciphertexts)
      expect(toHex(sha256(all))).toBe(chain.ciphertextSha256OfAll)
    }
  })
})

it('covers chains of 1, 2 and 1 000 messages', () => {
  const lengths = chains.map((chain) => chain.finalCounter - chain.initialCounter)
  expect(lengths).toEqual(expect.arrayContaining([1, 2, 1000]))
})
