import type { Identity } from '@orbitdb/core'
import { type KeyObject, createHash, createPublicKey, verify as nodeVerify } from 'node:crypto'

/**
 * OrbitDB signs every entry with its writer identity's secp256k1 key and checks the signature (ECDSA over
 * SHA-256, DER, low S) with @noble/curves when it joins the entry: measured here, about 160 checks a second on a
 * busy core, the largest single cost of joining a log. This checker does the same verification with Node's
 * OpenSSL, about seven times faster, and remembers each signature it accepted so that OrbitDB's own check of the
 * same entry, when it joins it right after a walk, costs a hash instead of a second verification.
 *
 * It answers natively only where both implementations must agree: a canonical DER signature with r and s in
 * range and s in the low half, and a secp256k1 key. Anything else goes to OrbitDB's own check, which decides.
 */
export class EntrySignatures {
  readonly #keys = new Map<string, KeyObject | null>()
  readonly #accepted = new Map<string, { publicKey: string; digest: string }>()
  readonly #maxRemembered: number

  constructor(options: { maxRemembered: number }) {
    this.#maxRemembered = options.maxRemembered
  }

  /**
   * `identity` with its `verify` replaced by this checker, falling back to the identity's own. With
   * `remember: false` it neither keeps what it accepts nor uses what was kept.
   */
  wrap(identity: Identity, options: { remember?: boolean } = {}): Identity {
    const fallback = identity.verify.bind(identity)
    const remember = options.remember ?? true
    return {
      ...identity,
      verify: (signature: string, publicKey: string, data: Uint8Array | string) =>
        remember
          ? this.verify(signature, publicKey, data, fallback)
          : this.#verifyNatively(signature, publicKey, toBytes(data)).then(
              (verdict) => verdict ?? fallback(signature, publicKey, data),
            ),
    }
  }

  async verify(
    signature: string,
    publicKey: string,
    data: Uint8Array | string,
    fallback: (signature: string, publicKey: string, data: Uint8Array | string) => Promise<boolean>,
  ): Promise<boolean> {
    const bytes = toBytes(data)
    const digest = createHash('sha256').update(bytes).digest('base64')
    const remembered = this.#accepted.get(signature)
    if (remembered !== undefined) {
      this.#accepted.delete(signature) // one reuse: the join that follows the walk
      if (remembered.publicKey === publicKey && remembered.digest === digest) return true
    }
    const verdict =
      (await this.#verifyNatively(signature, publicKey, bytes)) ??
      (await fallback(signature, publicKey, data))
    if (verdict) this.#remember(signature, publicKey, digest)
    return verdict
  }

  /**
   * True or false when OpenSSL can decide as @noble/curves would, on Node's thread pool; undefined to leave it to
   * OrbitDB.
   */
  #verifyNatively(signature: string, publicKey: string, data: Uint8Array): Promise<boolean | undefined> {
    const key = this.#key(publicKey)
    const der = canonicalLowS(signature)
    if (key === null || der === undefined) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      nodeVerify('sha256', data, { key, dsaEncoding: 'der' }, der, (error, verdict) => {
        if (error) reject(error)
        else resolve(verdict)
      })
    })
  }

  #key(publicKey: string): KeyObject | null {
    let key = this.#keys.get(publicKey)
    if (key !== undefined) return key
    key = null
    const raw = /^[0-9a-f]+$/i.test(publicKey) ? Buffer.from(publicKey, 'hex') : undefined
    const prefix = raw?.length === 33 ? SPKI_COMPRESSED : raw?.length === 65 ? SPKI_UNCOMPRESSED : undefined
    if (
      raw !== undefined &&
      prefix !== undefined &&
      (raw.length === 65 ? raw[0] === 4 : raw[0] === 2 || raw[0] === 3)
    ) {
      try {
        key = createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' })
      } catch {
        key = null // not a point of the curve: OrbitDB's check refuses it
      }
    }
    if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.clear()
    this.#keys.set(publicKey, key)
    return key
  }

  #remember(signature: string, publicKey: string, digest: string): void {
    if (this.#accepted.size >= this.#maxRemembered) {
      const oldest = this.#accepted.keys().next().value
      if (oldest !== undefined) this.#accepted.delete(oldest)
    }
    this.#accepted.set(signature, { publicKey, digest })
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data
}

/** Writer keys kept parsed; a log has one per device that wrote to it. */
const MAX_CACHED_KEYS = 4_096
const SPKI_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const SPKI_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex')
/** The order of secp256k1 and half of it: noble refuses a signature whose s is above half the order. */
const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_ORDER = ORDER >> 1n

/** The signature's DER bytes if they are the canonical encoding of (r, s) with 0 < r < n and 0 < s ≤ n/2. */
function canonicalLowS(signature: string): Buffer | undefined {
  if (!/^[0-9a-f]*$/i.test(signature) || signature.length % 2 !== 0 || signature.length > 144)
    return undefined
  const der = Buffer.from(signature, 'hex')
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined
  const r = derInteger(der, 2)
  if (r === undefined) return undefined
  const s = derInteger(der, r.end)
  if (s === undefined || s.end !== der.length) return undefined
  if (r.value <= 0n || r.value >= ORDER || s.value <= 0n || s.value > HALF_ORDER) return undefined
  return der
}

function derInteger(der: Buffer, at: number): { value: bigint; end: number } | undefined {
  if (der[at] !== 0x02) return undefined
  const length = der[at + 1]
  if (length === undefined || length === 0 || length > 33 || at + 2 + length > der.length) return undefined
  const body = der.subarray(at + 2, at + 2 + length)
  const first = body[0] as number
  if (first & 0x80) return undefined // negative
  if (first === 0 && length > 1 && !((body[1] as number) & 0x80)) return undefined // not minimal
  return { value: BigInt(`0x${body.toString('hex')}`), end: at + 2 + length }
}
