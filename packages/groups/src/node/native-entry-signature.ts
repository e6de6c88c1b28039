import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto'
import { createRequire } from 'node:module'
import type { EntrySignatureVerifier } from './pending-entries.js'

/** SubjectPublicKeyInfo prefix of a compressed secp256k1 key (id-ecPublicKey, secp256k1, 33-byte point). */
const SPKI_PREFIX = Uint8Array.from([
  0x30, 0x36, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
  0x00, 0x0a, 0x03, 0x22, 0x00,
])
const COMPRESSED_KEY_BYTES = 33
/** Half the order of secp256k1: OrbitDB (through @libp2p/crypto and noble) accepts only low-S signatures. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n
/** Parsed writer keys kept: a log has a handful of writers, one identity per device. */
const MAX_CACHED_KEYS = 256

/** The part of the `secp256k1` package's native binding (libsecp256k1) used here. */
interface Libsecp256k1 {
  /** Strict DER to the 64-byte compact form; throws for anything else. */
  signatureImport(der: Uint8Array): Uint8Array
  /** False for a wrong or high-S signature; throws for a public key that is not a point. */
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean
}

/** Which native library checks the signatures: libsecp256k1 where its prebuilt binding loads, else OpenSSL. */
export type EntrySignatureEngine = 'libsecp256k1' | 'openssl'

/**
 * libsecp256k1 (Bitcoin Core's library) through the `secp256k1` package's prebuilt binding: 53 µs a check here
 * against 320 µs for OpenSSL's generic curve code. Undefined where the binding does not load (no prebuild for the
 * platform); the package's own fallback, a JavaScript implementation, is not wanted then.
 */
const libsecp256k1 = ((): Libsecp256k1 | undefined => {
  try {
    return createRequire(import.meta.url)('secp256k1/bindings.js') as Libsecp256k1
  } catch {
    return undefined
  }
})()

/** The engine {@link nativeEntrySignatureVerifier} uses unless told: the fastest that loads here. */
export const DEFAULT_ENTRY_SIGNATURE_ENGINE: EntrySignatureEngine =
  libsecp256k1 === undefined ? 'openssl' : 'libsecp256k1'

/**
 * OrbitDB's entry signature check (ECDSA secp256k1 over SHA-256, DER, low S) in native code, accepting exactly the
 * signatures OrbitDB's JavaScript check accepts: libsecp256k1 (about 30 times faster than OrbitDB's own) or, where
 * its binding does not load, OpenSSL on libuv's thread pool (about five times). Node only: the node passes it to
 * its logs, a browser keeps OrbitDB's.
 */
export function nativeEntrySignatureVerifier(
  engine: EntrySignatureEngine = DEFAULT_ENTRY_SIGNATURE_ENGINE,
): EntrySignatureVerifier {
  if (engine === 'openssl') return openSslVerifier()
  if (libsecp256k1 === undefined) throw new Error('libsecp256k1 is not available on this platform')
  const library = libsecp256k1
  return (signature, publicKey, data) => {
    const key = hexBytes(publicKey)
    const sig = hexBytes(signature)
    if (key?.byteLength !== COMPRESSED_KEY_BYTES || sig === undefined || !isLowS(sig)) {
      return Promise.resolve(false)
    }
    try {
      const digest = createHash('sha256').update(data).digest()
      return Promise.resolve(library.ecdsaVerify(library.signatureImport(sig), digest, key))
    } catch {
      return Promise.resolve(false) // not strict DER, r or s out of range, or the key is not a point
    }
  }
}

function openSslVerifier(): EntrySignatureVerifier {
  const keys = new Map<string, KeyObject | undefined>()
  const keyFor = (publicKey: string): KeyObject | undefined => {
    if (keys.has(publicKey)) return keys.get(publicKey)
    let key: KeyObject | undefined
    const raw = hexBytes(publicKey)
    if (raw?.byteLength === COMPRESSED_KEY_BYTES) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
      } catch {
        key = undefined // not a point on the curve
      }
    }
    if (keys.size >= MAX_CACHED_KEYS) keys.clear()
    keys.set(publicKey, key)
    return key
  }
  return (signature, publicKey, data) => {
    const key = keyFor(publicKey)
    const sig = hexBytes(signature)
    if (key === undefined || sig === undefined || !isLowS(sig)) return Promise.resolve(false)
    // With a callback, OpenSSL runs on libuv's thread pool: a catch-up checks a whole batch on every core at once.
    return new Promise((resolve) => {
      verify('sha256', data, { key, dsaEncoding: 'der' }, sig, (error, valid) => {
        resolve(error === null && valid)
      })
    })
  }
}

function hexBytes(hex: string): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  return Buffer.from(hex, 'hex')
}

/** A strict DER `SEQUENCE { INTEGER r, INTEGER s }` whose s is at most half the order. */
function isLowS(der: Uint8Array): boolean {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[2] !== 0x02) return false
  const rLength = der[3] ?? 0
  const sAt = 4 + rLength
  if (der[sAt] !== 0x02) return false
  const sLength = der[sAt + 1] ?? 0
  if (sAt + 2 + sLength !== der.length || sLength === 0 || sLength > 33) return false
  let s = 0n
  for (const byte of der.subarray(sAt + 2)) s = (s << 8n) | BigInt(byte)
  return s <= HALF_ORDER
}
