// Ratchet encrypt/decrypt of 1 KiB messages against raw secretbox (the floor) and, signed, against Matrix's
// Megolm (`@matrix-org/olm`, which signs every message), all in one run. Run with `pnpm bench`.
import Olm from '@matrix-org/olm'
import { ed25519KeyPair, ed25519Signer, open, randomBytes, seal, toBase64, verify } from '@wesh/crypto'
import { runBenchTable } from '@wesh/tooling/bench'
import { RatchetReceiver, RatchetSender, type RatchetMessage, messageNonce } from '@wesh/ratchet'

const MESSAGE_BYTES = 1024
const RING = 20_000 // pre-built messages that the receiving tasks cycle through

const plaintext = randomBytes(MESSAGE_BYTES)
const groupId = randomBytes(32)
const device = ed25519KeyPair()
const signer = ed25519Signer(device.seed)

// Raw secretbox: one fixed key, the ratchet's nonce layout. Opening cycles through a ring of distinct
// ciphertexts, as the ratchet's receiver does, so both read memory the same way.
const rawKey = randomBytes(32)
const rawNonce = messageNonce(1)
const rawRing = Array.from({ length: RING }, (_, i) => {
  const nonce = messageNonce(i + 1)
  return { nonce, sealed: seal(rawKey, nonce, plaintext) }
})
let rawNext = 0

// Ratchet: a sender that runs forever, and a ring of signed messages for the receivers.
const sender = RatchetSender.create(groupId)
const ringSender = RatchetSender.create(groupId)
const ringStart = ringSender.chain()
const ring: { message: RatchetMessage; signature: Uint8Array }[] = []
for (let i = 0; i < RING; i++) {
  const message = ringSender.encrypt(plaintext)
  ring.push({ message, signature: signer.sign(message.ciphertext) })
}
const receiving = (check: (entry: (typeof ring)[number]) => void) => {
  let receiver = RatchetReceiver.create(groupId, ringStart)
  let next = 0
  return () => {
    if (next === RING) {
      receiver = RatchetReceiver.create(groupId, ringStart)
      next = 0
    }
    const entry = ring[next++]!
    check(entry)
    receiver.decrypt(entry.message.counter, entry.message.ciphertext)
  }
}

// Megolm: an outbound session, an inbound one from its key, and a ring of its messages.
await Olm.init()
const outbound = new Olm.OutboundGroupSession()
outbound.create()
const inbound = new Olm.InboundGroupSession()
inbound.create(outbound.session_key())
const megolmText = toBase64(randomBytes((MESSAGE_BYTES / 4) * 3)) // 1 024 characters
const megolmRing = Array.from({ length: RING }, () => outbound.encrypt(megolmText))
let megolmNext = 0

await runBenchTable('@wesh/ratchet: 1 KiB messages', [
  {
    title: 'encrypt',
    tasks: [
      { name: 'raw secretbox seal', fn: () => seal(rawKey, rawNonce, plaintext) },
      { name: 'ratchet encrypt', fn: () => sender.encrypt(plaintext) },
    ],
  },
  {
    title: 'decrypt',
    tasks: [
      {
        name: 'raw secretbox open',
        fn: () => {
          const { nonce, sealed } = rawRing[rawNext++ % RING]!
          open(rawKey, nonce, sealed)
        },
      },
      { name: 'ratchet decrypt', fn: receiving(() => undefined) },
    ],
  },
  {
    title: 'send, signed',
    tasks: [
      { name: 'Megolm encrypt (signs)', fn: () => outbound.encrypt(megolmText) },
      { name: 'ratchet encrypt + Ed25519 sign', fn: () => signer.sign(sender.encrypt(plaintext).ciphertext) },
    ],
  },
  {
    title: 'receive, signed',
    tasks: [
      { name: 'Megolm decrypt (verifies)', fn: () => inbound.decrypt(megolmRing[megolmNext++ % RING]!) },
      {
        name: 'Ed25519 verify + ratchet decrypt',
        fn: receiving(({ message, signature }) => {
          if (!verify(device.publicKey, message.ciphertext, signature)) throw new Error('bad signature')
        }),
      },
    ],
  },
])
outbound.free()
inbound.free()
