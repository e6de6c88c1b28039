import {
  boxOpen,
  box,
  bytesToUtf8,
  ed25519KeyPair,
  edToX25519PublicKey,
  edToX25519SecretKey,
  isWeshError,
  randomBytes,
  sign,
  toHex,
  utf8ToBytes,
  verify,
} from '@wesh/crypto'
import { RatchetReceiver, RatchetSender, type RatchetMessage } from '@wesh/ratchet'
import { check, type Timeline } from './timeline.js'

const short = (bytes: Uint8Array) => `${toHex(bytes).slice(0, 16)}…`

/**
 * Two devices, Alice's and Bob's, in one group: Alice boxes her chain key to Bob (X25519 from their
 * Ed25519 device keys), then sends signed, ratchet-encrypted messages that Bob reads in any order.
 */
export async function ratchetStory(timeline: Timeline): Promise<void> {
  const groupId = randomBytes(32)
  const alice = ed25519KeyPair()
  const bob = ed25519KeyPair()
  let sender: RatchetSender | undefined
  let receiver: RatchetReceiver | undefined
  const sent: RatchetMessage[] = []
  const part = (title: string, run: () => void) => {
    timeline.say('', `▸ ${title}`)
    run()
  }

  await timeline.step(
    0,
    'The ratchet alone: a chain key in a box, signed messages out of order, attacks refused',
    () => {
      part('Alice and Bob create device keys; Alice shares her chain key in a box', () => {
        timeline.say('group', `id ${short(groupId)}`)
        timeline.say('Alice', `device key ${short(alice.publicKey)}`)
        timeline.say('Bob', `device key ${short(bob.publicKey)}`)
        sender = RatchetSender.create(groupId)
        const { chainKey, counter } = sender.chain()
        timeline.say('Alice', `chain key ${short(chainKey)} at counter ${counter}`)
        const nonce = groupId.subarray(0, 24)
        const sealed = box(
          edToX25519SecretKey(alice.seed),
          edToX25519PublicKey(bob.publicKey),
          nonce,
          chainKey,
        )
        timeline.say('Alice', `→ Bob: boxed chain key, ${sealed.length} bytes`)
        const opened = boxOpen(
          edToX25519SecretKey(bob.seed),
          edToX25519PublicKey(alice.publicKey),
          nonce,
          sealed,
        )
        receiver = RatchetReceiver.create(groupId, { chainKey: opened, counter })
        timeline.say('Bob', `opened it: chain key ${short(opened)}`)
      })

      part('Alice sends three signed messages; Bob reads them out of order', () => {
        if (!sender || !receiver) throw new Error('step 1 did not run')
        for (const text of ['hello Bob', 'this is ratchet-encrypted', 'one key per message']) {
          const message = sender.encrypt(utf8ToBytes(text))
          sent.push(message)
          const signature = sign(alice.seed, message.ciphertext)
          check(verify(alice.publicKey, message.ciphertext, signature), 'device signature verifies')
          timeline.say('Alice', `#${message.counter} "${text}" → ${short(message.ciphertext)} (signed)`)
        }
        for (const message of [sent[2], sent[0], sent[1]]) {
          if (!message) continue
          const text = bytesToUtf8(receiver.decrypt(message.counter, message.ciphertext))
          timeline.say('Bob', `#${message.counter} "${text}"`)
        }
        check(receiver.counter === 3 && receiver.skippedKeyCount === 0, 'all three read, no key left over')
      })

      part('A replayed and a tampered message are refused; nothing changes', () => {
        if (!sender || !receiver) throw new Error('step 1 did not run')
        const replay = sent[0]
        if (!replay) throw new Error('step 2 did not run')
        const refusal = (attempt: () => unknown): string => {
          try {
            attempt()
          } catch (error) {
            if (isWeshError(error)) return error.code
            throw error
          }
          return 'accepted'
        }
        const replayed = refusal(() => receiver?.decrypt(replay.counter, replay.ciphertext))
        timeline.say('Bob', `replay of #${replay.counter}: ${replayed}`)
        check(replayed === 'RATCHET_KEY_UNAVAILABLE', 'replay refused')
        const next = sender.encrypt(utf8ToBytes('after the attack'))
        const tampered = new Uint8Array(next.ciphertext)
        tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1
        const forged = refusal(() => receiver?.decrypt(next.counter, tampered))
        timeline.say('Bob', `tampered #${next.counter}: ${forged}`)
        check(forged === 'RATCHET_AUTH_FAILED', 'tampering refused')
        timeline.say(
          'Bob',
          `#${next.counter} "${bytesToUtf8(receiver.decrypt(next.counter, next.ciphertext))}"`,
        )
      })
    },
  )
}
