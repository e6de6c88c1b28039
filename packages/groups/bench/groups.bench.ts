// The pure receive path of @wesh/groups on 1 KiB messages, each next to its same-run baseline: what the envelope
// adds over the bare ratchet, and what the access-controller check adds over one Ed25519 verify. Run: `pnpm bench`.
import { ed25519KeyPair, ed25519Signer, randomBytes, verify } from '@wesh/crypto'
import { RatchetReceiver, RatchetSender } from '@wesh/ratchet'
import { runBenchTable } from '@wesh/tooling/bench'
import {
  createMultiMemberGroup,
  entrySigningInput,
  openGroupEvent,
  openMessage,
  sealGroupEvent,
  sealMessage,
  signEntry,
  verifyEntry,
} from '@wesh/groups'

const MESSAGE_BYTES = 1024
const RING = 5_000
const plaintext = randomBytes(MESSAGE_BYTES)
const { group } = createMultiMemberGroup()
const device = ed25519KeyPair()
const deviceSigner = ed25519Signer(device.seed)
const groupSigner = ed25519Signer(group.secret)

const sender = RatchetSender.create(group.publicKey)
const rawSender = RatchetSender.create(group.publicKey)

const ringSender = RatchetSender.create(group.publicKey)
const ringStart = ringSender.chain()
const ring = Array.from({ length: RING }, () =>
  sealMessage({ secret: group.secret, sender: ringSender, deviceKey: deviceSigner, plaintext }),
)
const rawRingSender = RatchetSender.create(group.publicKey)
const rawRingStart = rawRingSender.chain()
const rawRing = Array.from({ length: RING }, () => rawRingSender.encrypt(plaintext))
const cycling = <T>(
  items: T[],
  start: () => RatchetReceiver,
  use: (item: T, receiver: RatchetReceiver) => void,
) => {
  let receiver = start()
  let next = 0
  return () => {
    if (next === items.length) {
      receiver = start()
      next = 0
    }
    use(items[next++] as T, receiver)
  }
}

const entry = signEntry(groupSigner, ring[0]?.envelope ?? plaintext)
const entrySig = groupSigner.sign(entrySigningInput(plaintext))
const event = sealGroupEvent({
  group,
  event: { eventType: 1001, payload: { message: plaintext } },
  signingKey: deviceSigner,
})

await runBenchTable('@wesh/groups: 1 KiB payloads', [
  {
    title: 'send',
    tasks: [
      { name: 'ratchet encrypt (baseline)', fn: () => rawSender.encrypt(plaintext) },
      {
        name: 'sealMessage (sign + ratchet + headers)',
        fn: () => sealMessage({ secret: group.secret, sender, deviceKey: deviceSigner, plaintext }),
      },
    ],
  },
  {
    title: 'receive',
    tasks: [
      {
        name: 'ratchet decrypt (baseline)',
        fn: cycling(
          rawRing,
          () => RatchetReceiver.create(group.publicKey, rawRingStart),
          (m, r) => r.decrypt(m.counter, m.ciphertext),
        ),
      },
      {
        name: 'openMessage (headers + ratchet + verify)',
        fn: cycling(
          ring,
          () => RatchetReceiver.create(group.publicKey, ringStart),
          (m, r) => openMessage({ secret: group.secret, envelope: m.envelope, receiverFor: () => r }),
        ),
      },
    ],
  },
  {
    title: 'log entry check',
    tasks: [
      {
        name: 'Ed25519 verify (baseline)',
        fn: () => verify(group.signPublicKey, entrySigningInput(plaintext), entrySig),
      },
      { name: 'verifyEntry', fn: () => verifyEntry(group.signPublicKey, entry) },
      { name: 'openGroupEvent (1001)', fn: () => openGroupEvent(group, event) },
    ],
  },
])
