// Native (Node's OpenSSL) against pure (@noble) for every primitive that has both, and our HMAC/HKDF against
// @noble/hashes; run with `pnpm bench`.
import { type CryptoBackend, nativeBackend, open, pureBackend, randomBytes, seal } from '@wesh/crypto'
import { runBenchTable } from '@wesh/tooling/bench'
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { hmac as nobleHmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

if (!nativeBackend) throw new Error('this runtime has no native backend to compare')
const native: CryptoBackend = nativeBackend
const seed = randomBytes(32)
const message = randomBytes(1024)
const publicKey = pureBackend.ed25519PublicKey(seed)
const signature = pureBackend.ed25519Sign(seed, message)
const xSecret = randomBytes(32)
const xPeer = pureBackend.x25519PublicKey(randomBytes(32))
const nativeSigner = native.ed25519SigningKey(seed)
const pureSigner = pureBackend.ed25519SigningKey(seed)
const key = randomBytes(32)
const nonce = randomBytes(24)
const sealed = seal(key, nonce, message)
const noSalt = new Uint8Array(32)
const okm = new Uint8Array(64)

const pair = (title: string, run: (backend: CryptoBackend) => unknown) => ({
  title,
  tasks: [
    { name: 'pure (JavaScript)', fn: () => run(pureBackend) },
    { name: 'native (OpenSSL)', fn: () => run(native) },
  ],
})

await runBenchTable('@wesh/crypto: native vs pure, 1 KiB messages', [
  pair('Ed25519 sign', (b) => b.ed25519Sign(seed, message)),
  pair('Ed25519 sign, key parsed once (signer)', (b) =>
    (b === native ? nativeSigner : pureSigner).sign(message),
  ),
  pair('Ed25519 verify', (b) => b.ed25519Verify(publicKey, message, signature)),
  pair('X25519', (b) => b.x25519(xSecret, xPeer)),
  {
    title: 'HMAC-SHA-256 1 KiB',
    tasks: [
      { name: '@noble/hashes (baseline)', fn: () => nobleHmac(nobleSha256, key, message) },
      { name: 'ours (allocation-free)', fn: () => pureBackend.hmacSha256(key, message) },
    ],
  },
  {
    // The ratchet's step: 32-byte chain key, no salt, 32-byte group ID as info, 64 bytes out.
    title: 'HKDF-SHA-256 32 B → 64 B',
    tasks: [
      { name: '@noble/hashes (baseline)', fn: () => nobleHkdf(nobleSha256, key, undefined, key, 64) },
      { name: 'ours (allocation-free)', fn: () => pureBackend.hkdfSha256Into(key, noSalt, key, okm) },
    ],
  },
  {
    title: 'pure only: secretbox',
    tasks: [
      { name: 'secretbox seal 1 KiB', fn: () => seal(key, nonce, message) },
      { name: 'secretbox open 1 KiB', fn: () => open(key, nonce, sealed) },
    ],
  },
])
