import type * as NodeCrypto from 'node:crypto'
import type { CryptoBackend } from './backend.js'
import { pureSha256Mac } from './sha256-hmac.js'

// Node's own crypto module runs OpenSSL natively (Ed25519 5-10x faster than @noble here) and, unlike WebCrypto (the same OpenSSL behind a
// promise-only API), answers synchronously, so the public API stays synchronous. It is looked up at run
// time rather than imported, so browser bundles never see a `node:` import and fall back to @noble.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined

// DER prefixes that wrap a raw 32-byte key as PKCS#8 (secret) or SPKI (public) for OpenSSL.
const ED25519_PKCS8 = hex('302e020100300506032b657004220420')
const ED25519_SPKI = hex('302a300506032b6570032100')
const X25519_PKCS8 = hex('302e020100300506032b656e04220420')
const X25519_SPKI = hex('302a300506032b656e032100')

// Verifying keys are public; caching their parsed form saves most of the cost of a verify.
const VERIFY_KEY_CACHE_SIZE = 1024

function createNativeBackend(crypto: typeof NodeCrypto): CryptoBackend {
  const verifyKeys = new Map<string, NodeCrypto.KeyObject>()

  const secretKey = (prefix: Uint8Array, raw: Uint8Array): NodeCrypto.KeyObject => {
    const der = Buffer.concat([prefix, raw])
    try {
      return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    } finally {
      der.fill(0)
    }
  }
  const publicKey = (prefix: Uint8Array, raw: Uint8Array): NodeCrypto.KeyObject =>
    crypto.createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' })
  const rawPublic = (key: NodeCrypto.KeyObject): Uint8Array =>
    copy(key.export({ format: 'der', type: 'spki' }).subarray(-32))

  const verifyKey = (raw: Uint8Array): NodeCrypto.KeyObject => {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('hex')
    let key = verifyKeys.get(id)
    if (key === undefined) {
      key = publicKey(ED25519_SPKI, raw)
      if (verifyKeys.size >= VERIFY_KEY_CACHE_SIZE)
        verifyKeys.delete(verifyKeys.keys().next().value as string)
      verifyKeys.set(id, key)
    }
    return key
  }

  return {
    name: 'native',
    // HMAC and HKDF stay in JavaScript on purpose: the ratchet's chain and message keys pass through them, and only
    // buffers we own can be wiped. Node's one-shot `crypto.hash` was faster (≈ 2.5 µs vs ≈ 4 µs per ratchet step)
    // but returns each digest as a string, which no one can erase; its HMAC/HKDF objects cost 10+ µs per call.
    ...pureSha256Mac,
    ed25519PublicKey: (seed) => rawPublic(crypto.createPublicKey(secretKey(ED25519_PKCS8, seed))),
    ed25519Sign: (seed, message) => copy(crypto.sign(null, message, secretKey(ED25519_PKCS8, seed))),
    ed25519SigningKey(seed) {
      // OpenSSL keeps its own copy of the secret, which JavaScript cannot wipe; dropping the reference is all
      // destroy() can do for it.
      let key: NodeCrypto.KeyObject | undefined = secretKey(ED25519_PKCS8, seed)
      return {
        sign(message) {
          if (key === undefined) throw new Error('signing key destroyed')
          return copy(crypto.sign(null, message, key))
        },
        destroy: () => (key = undefined),
      }
    },
    ed25519Verify(key, message, signature) {
      try {
        return crypto.verify(null, message, verifyKey(key), signature)
      } catch {
        return false // not a point on the curve
      }
    },
    ed25519VerifyAsync(key, message, signature) {
      let parsed: NodeCrypto.KeyObject
      try {
        parsed = verifyKey(key)
      } catch {
        return Promise.resolve(false) // not a point on the curve
      }
      // With a callback, OpenSSL runs on libuv's thread pool while the event loop goes on.
      return new Promise((resolve) => {
        crypto.verify(null, message, parsed, signature, (error, valid) => {
          resolve(error === null && valid)
        })
      })
    },
    x25519PublicKey: (secret) => rawPublic(crypto.createPublicKey(secretKey(X25519_PKCS8, secret))),
    x25519(secret, peer) {
      try {
        return copy(
          crypto.diffieHellman({
            privateKey: secretKey(X25519_PKCS8, secret),
            publicKey: publicKey(X25519_SPKI, peer),
          }),
        )
      } catch {
        return undefined // OpenSSL refuses the all-zero output
      }
    },
  }
}

/** Native primitives from Node's OpenSSL, or undefined in runtimes without `node:crypto`. */
export const nativeBackend: CryptoBackend | undefined =
  nodeCrypto === undefined ? undefined : createNativeBackend(nodeCrypto)

// Node Buffers may share a pooled ArrayBuffer; callers get bytes of their own.
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16))
}
