import { type KeyObject, createPublicKey, verify } from 'node:crypto'
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

/**
 * OrbitDB's entry signature check (ECDSA secp256k1 over SHA-256, DER, low S) on Node's OpenSSL: about five times
 * faster than the JavaScript one OrbitDB runs, off the main thread, and accepting exactly the same signatures. Node only: the node
 * passes it to its logs, a browser keeps OrbitDB's.
 */
export function nativeEntrySignatureVerifier(): EntrySignatureVerifier {
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
