// Ratchet encrypt/decrypt of 1 KiB messages against raw secretbox (the floor) and, signed, against Matrix's
// Megolm (`@matrix-org/olm`, which signs every message), all in one run. Run with `pnpm bench`.
// After the table, the ratchet/secretbox ratios again, measured in alternating short rounds of CPU time: on a
// shared machine the load moves between tinybench's back-to-back windows of wall time, while alternating gives
// both sides the same conditions and CPU time leaves out the time this process waited for a core.
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

const rawSeal = () => seal(rawKey, rawNonce, plaintext)
const ratchetEncrypt = () => sender.encrypt(plaintext)
const rawOpen = () => {
  const { nonce, sealed } = rawRing[rawNext++ % RING]!
  open(rawKey, nonce, sealed)
}
const ratchetDecrypt = receiving(() => undefined)

const megolmEncrypt = () => outbound.encrypt(megolmText)
const signedEncrypt = () => signer.sign(sender.encrypt(plaintext).ciphertext)
const megolmDecrypt = () => inbound.decrypt(megolmRing[megolmNext++ % RING]!)
const signedDecrypt = receiving(({ message, signature }) => {
  if (!verify(device.publicKey, message.ciphertext, signature)) throw new Error('bad signature')
})

await runBenchTable('@wesh/ratchet: 1 KiB messages', [
  {
    title: 'encrypt',
    tasks: [
      { name: 'raw secretbox seal', fn: rawSeal },
      { name: 'ratchet encrypt', fn: ratchetEncrypt },
    ],
  },
  {
    title: 'decrypt',
    tasks: [
      { name: 'raw secretbox open', fn: rawOpen },
      { name: 'ratchet decrypt', fn: ratchetDecrypt },
    ],
  },
  {
    title: 'send, signed',
    tasks: [
      { name: 'Megolm encrypt (signs)', fn: megolmEncrypt },
      { name: 'ratchet encrypt + Ed25519 sign', fn: signedEncrypt },
    ],
  },
  {
    title: 'receive, signed',
    tasks: [
      { name: 'Megolm decrypt (verifies)', fn: megolmDecrypt },
      { name: 'Ed25519 verify + ratchet decrypt', fn: signedDecrypt },
    ],
  },
])

/**
 * `baseline` and `task` in alternating rounds of `batch` calls, each side's CPU time per call (ns) sorted.
 * Interference from other work only ever adds time, so the fast rounds are the undisturbed ones.
 */
function alternatingRounds(baseline: () => unknown, task: () => unknown, rounds: number, batch = 500) {
  const roundTime = (fn: () => unknown): number => {
    const start = process.cpuUsage()
    for (let i = 0; i < batch; i++) fn()
    const { user, system } = process.cpuUsage(start)
    return ((user + system) * 1000) / batch
  }
  const base: number[] = []
  const times: number[] = []
  for (let round = 0; round < rounds; round++) {
    // Alternate which side runs first, so neither always follows the other's garbage.
    if (round % 2 === 0) base.push(roundTime(baseline))
    times.push(roundTime(task))
    if (round % 2 === 1) base.push(roundTime(baseline))
  }
  const ascending = (a: number, b: number) => a - b
  return { base: base.sort(ascending), times: times.sort(ascending) }
}

const rounds = Math.max(50, Math.round(Number(process.env.BENCH_TIME_MS ?? 1500) / 10))
const at = (sorted: number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!
const pairedRows = [
  ['encrypt', 'ratchet encrypt / raw secretbox seal', alternatingRounds(rawSeal, ratchetEncrypt, rounds)],
  ['decrypt', 'ratchet decrypt / raw secretbox open', alternatingRounds(rawOpen, ratchetDecrypt, rounds)],
  [
    'send, signed',
    'ratchet encrypt + Ed25519 sign / Megolm encrypt',
    alternatingRounds(megolmEncrypt, signedEncrypt, rounds, 20),
  ],
  [
    'receive, signed',
    'Ed25519 verify + ratchet decrypt / Megolm decrypt',
    alternatingRounds(megolmDecrypt, signedDecrypt, rounds, 10),
  ],
] as const
outbound.free()
inbound.free()
const ratioAt = ({ base, times }: { base: number[]; times: number[] }, q: number): string =>
  `${(at(times, q) / at(base, q)).toFixed(2)}x (${(at(times, q) / 1000).toFixed(1)} / ${(at(base, q) / 1000).toFixed(1)} µs)`
console.log(
  [
    `### The same ratios in CPU time, ${rounds} alternating rounds (500 messages each; signed: 20 and 10)`,
    '',
    'Ratio of the round times at the same rank: the fastest tenth (least disturbed), and the median.',
    '',
    '| group | ratio | fastest tenth | median |',
    '|---|---|---:|---:|',
    ...pairedRows.map(
      ([group, name, r]) => `| ${group} | ${name} | ${ratioAt(r, 0.1)} | ${ratioAt(r, 0.5)} |`,
    ),
  ].join('\n'),
)
