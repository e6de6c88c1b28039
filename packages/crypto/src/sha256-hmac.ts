/* eslint-disable @typescript-eslint/no-non-null-assertion -- fixed-size typed arrays indexed in range by
   construction; a helper function here made the element reads polymorphic and the hash twice as slow. */
// HMAC-SHA-256 and HKDF-SHA-256 without per-call allocation.
//
// Why not @noble/hashes here: the ratchet derives one HKDF per message from 32-byte inputs, where @noble's
// cost is its hash objects (about 10 µs per HKDF on the reference machine), not the 9 SHA-256 blocks
// (about 4 µs). This file is FIPS 180-4 SHA-256 over preallocated buffers, pinned by the RFC 4231 and
// RFC 5869 vectors and by a property test against @noble on random inputs. Not constant-time-relevant:
// SHA-256 has no secret-dependent branches or indices.
import type { Sha256Mac } from './backend.js'
import { compressBlock } from './sha256-compress.js'

const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const BLOCK = 64
const DIGEST = 32

// Scratch shared by every call: JavaScript runs one call at a time and none of them yields.
const state = new Int32Array(8)
const block = new Uint8Array(BLOCK)
const blockView = new DataView(block.buffer)
const digest = new Uint8Array(DIGEST)
const digestView = new DataView(digest.buffer)
let blockLength = 0
let totalLength = 0

function compress(): void {
  compressBlock(state, blockView)
}

/** Starts a hash from `from` (the IV, or a saved state after `absorbed` bytes). */
function start(from: Int32Array, absorbed: number): void {
  state.set(from)
  blockLength = 0
  totalLength = absorbed
}

/** Absorbs `bytes[from…to)`. A copy loop, not `block.set(subarray)`: no view allocated per call. */
function update(bytes: Uint8Array, from = 0, to = bytes.length): void {
  for (let i = from; i < to; i++) {
    block[blockLength++] = bytes[i]!
    if (blockLength === BLOCK) {
      compress()
      blockLength = 0
    }
  }
  totalLength += to - from
}

function updateByte(byte: number): void {
  block[blockLength++] = byte
  totalLength += 1
  if (blockLength === BLOCK) {
    compress()
    blockLength = 0
  }
}

/** Pads, compresses and writes the 32-byte digest into `out` at `offset`. */
function finish(out: Uint8Array, offset: number): void {
  const bits = totalLength * 8
  block[blockLength++] = 0x80
  if (blockLength > BLOCK - 8) {
    block.fill(0, blockLength)
    compress()
    blockLength = 0
  }
  block.fill(0, blockLength, BLOCK - 8)
  blockView.setUint32(BLOCK - 8, Math.floor(bits / 0x100000000))
  blockView.setUint32(BLOCK - 4, bits >>> 0)
  compress()
  for (let i = 0; i < 8; i++) digestView.setInt32(4 * i, state[i]!)
  out.set(digest, offset)
}

/** The two HMAC states after absorbing `key ⊕ ipad` and `key ⊕ opad` (RFC 2104). */
interface HmacKey {
  readonly inner: Int32Array
  readonly outer: Int32Array
}

const keyBlock = new Uint8Array(BLOCK)

function hmacKey(
  key: Uint8Array,
  into: HmacKey = { inner: new Int32Array(8), outer: new Int32Array(8) },
): HmacKey {
  keyBlock.fill(0)
  if (key.length > BLOCK) {
    start(IV, 0)
    update(key)
    finish(keyBlock, 0)
  } else {
    keyBlock.set(key)
  }
  const pad = (byte: number, saved: Int32Array): void => {
    start(IV, 0)
    for (let i = 0; i < BLOCK; i++) block[i] = keyBlock[i]! ^ byte
    compress()
    saved.set(state)
  }
  pad(0x36, into.inner)
  pad(0x5c, into.outer)
  keyBlock.fill(0)
  return into
}

const innerDigest = new Uint8Array(DIGEST)

/** HMAC of `first[firstFrom…firstFrom+firstLength) ‖ second ‖ lastByte` (the last two optional) into `out`. */
function hmacInto(
  key: HmacKey,
  first: Uint8Array,
  firstFrom: number,
  firstLength: number,
  second: Uint8Array | undefined,
  lastByte: number | undefined,
  out: Uint8Array,
  offset: number,
): void {
  start(key.inner, BLOCK)
  update(first, firstFrom, firstFrom + firstLength)
  if (second !== undefined) update(second)
  if (lastByte !== undefined) updateByte(lastByte)
  finish(innerDigest, 0)
  start(key.outer, BLOCK)
  update(innerDigest)
  finish(out, offset)
}

function wipe(key: HmacKey): void {
  key.inner.fill(0)
  key.outer.fill(0)
}

function wipeScratch(): void {
  state.fill(0)
  block.fill(0)
  innerDigest.fill(0)
  digest.fill(0)
}

function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const keyed = hmacKey(key)
  const out = new Uint8Array(DIGEST)
  hmacInto(keyed, message, 0, message.length, undefined, undefined, out, 0)
  wipe(keyed)
  wipeScratch()
  return out
}

// "No salt" is the common case (PROTOCOL.md §0): its HMAC key is computed once.
const zeroSaltKey = hmacKey(new Uint8Array(DIGEST))
const prk = new Uint8Array(DIGEST)
const lastBlock = new Uint8Array(DIGEST)
const expandScratch: HmacKey = { inner: new Int32Array(8), outer: new Int32Array(8) }
function isZeroSalt(salt: Uint8Array): boolean {
  if (salt.length !== DIGEST) return false
  let bits = 0
  for (let i = 0; i < DIGEST; i++) bits |= salt[i]!
  return bits === 0
}

function hkdfSha256Into(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, out: Uint8Array): void {
  // Extract: PRK = HMAC(salt, ikm); `ikm` is fully read here, before anything is written to `out`.
  const extractKey = isZeroSalt(salt) ? zeroSaltKey : hmacKey(salt)
  hmacInto(extractKey, ikm, 0, ikm.length, undefined, undefined, prk, 0)
  if (extractKey !== zeroSaltKey) wipe(extractKey)
  // Expand: T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i); full blocks go straight into `out`.
  const expandKey = hmacKey(prk, expandScratch)
  prk.fill(0)
  const blocks = Math.ceil(out.length / DIGEST)
  for (let i = 1; i <= blocks; i++) {
    const offset = (i - 1) * DIGEST
    const previousLength = i === 1 ? 0 : DIGEST
    if (offset + DIGEST <= out.length) {
      hmacInto(expandKey, out, offset - previousLength, previousLength, info, i, out, offset)
    } else {
      hmacInto(expandKey, out, offset - previousLength, previousLength, info, i, lastBlock, 0)
      out.set(lastBlock.subarray(0, out.length - offset), offset)
    }
  }
  wipe(expandKey)
  lastBlock.fill(0)
  wipeScratch()
}

/** FIPS 180-4 SHA-256 in JavaScript: runs everywhere. Inputs are validated by the caller. */
export const pureSha256Mac: Sha256Mac = { hmacSha256, hkdfSha256Into }
