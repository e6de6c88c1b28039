/* eslint-disable @typescript-eslint/no-non-null-assertion -- fixed-size typed arrays indexed in range by
   construction; a helper function here made the element reads polymorphic and the hash twice as slow. */
// HMAC-SHA-256 and HKDF-SHA-256 without per-call allocation.
//
// Why not @noble/hashes here: the ratchet derives one HKDF per message from 32-byte inputs, where @noble's
// cost is its hash objects (about 10 µs per HKDF on the reference machine), not the 9 SHA-256 blocks
// (about 4 µs). This file is FIPS 180-4 SHA-256 over preallocated buffers, pinned by the RFC 4231 and
// RFC 5869 vectors and by a property test against @noble on random inputs. Not constant-time-relevant:
// SHA-256 has no secret-dependent branches or indices.

// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const BLOCK = 64
const DIGEST = 32

// Scratch shared by every call: JavaScript runs one call at a time and none of them yields.
const W = new Int32Array(64)
const state = new Int32Array(8)
const block = new Uint8Array(BLOCK)
const blockView = new DataView(block.buffer)
const digest = new Uint8Array(DIGEST)
const digestView = new DataView(digest.buffer)
let blockLength = 0
let totalLength = 0

function compress(): void {
  for (let i = 0; i < 16; i++) W[i] = blockView.getInt32(4 * i)
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!
    const w2 = W[i - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!
  let e = state[4]!,
    f = state[5]!,
    g = state[6]!,
    h = state[7]!
  let t1: number, t2: number
  // Eight rounds per turn, the working variables renamed instead of shifted (FIPS 180-4 §6.2.2 step 3).
  for (let i = 0; i < 64; i += 8) {
    t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i + 0]! + W[i + 0]!) | 0
    t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    d = (d + t1) | 0
    h = (t1 + t2) | 0
    t1 = (g + (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) + ((d & e) ^ (~d & f)) + K[i + 1]! + W[i + 1]!) | 0
    t2 = ((rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) + ((h & a) ^ (h & b) ^ (a & b))) | 0
    c = (c + t1) | 0
    g = (t1 + t2) | 0
    t1 = (f + (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) + ((c & d) ^ (~c & e)) + K[i + 2]! + W[i + 2]!) | 0
    t2 = ((rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) + ((g & h) ^ (g & a) ^ (h & a))) | 0
    b = (b + t1) | 0
    f = (t1 + t2) | 0
    t1 = (e + (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) + ((b & c) ^ (~b & d)) + K[i + 3]! + W[i + 3]!) | 0
    t2 = ((rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) + ((f & g) ^ (f & h) ^ (g & h))) | 0
    a = (a + t1) | 0
    e = (t1 + t2) | 0
    t1 = (d + (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) + ((a & b) ^ (~a & c)) + K[i + 4]! + W[i + 4]!) | 0
    t2 = ((rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) + ((e & f) ^ (e & g) ^ (f & g))) | 0
    h = (h + t1) | 0
    d = (t1 + t2) | 0
    t1 = (c + (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) + ((h & a) ^ (~h & b)) + K[i + 5]! + W[i + 5]!) | 0
    t2 = ((rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) + ((d & e) ^ (d & f) ^ (e & f))) | 0
    g = (g + t1) | 0
    c = (t1 + t2) | 0
    t1 = (b + (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) + ((g & h) ^ (~g & a)) + K[i + 6]! + W[i + 6]!) | 0
    t2 = ((rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) + ((c & d) ^ (c & e) ^ (d & e))) | 0
    f = (f + t1) | 0
    b = (t1 + t2) | 0
    t1 = (a + (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) + ((f & g) ^ (~f & h)) + K[i + 7]! + W[i + 7]!) | 0
    t2 = ((rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) + ((b & c) ^ (b & d) ^ (c & d))) | 0
    e = (e + t1) | 0
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

const rotr = (word: number, bits: number): number => (word >>> bits) | (word << (32 - bits))

/** Starts a hash from `from` (the IV, or a saved state after `absorbed` bytes). */
function start(from: Int32Array, absorbed: number): void {
  state.set(from)
  blockLength = 0
  totalLength = absorbed
}

function update(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length;) {
    const take = Math.min(BLOCK - blockLength, bytes.length - i)
    block.set(bytes.subarray(i, i + take), blockLength)
    blockLength += take
    i += take
    if (blockLength === BLOCK) {
      compress()
      blockLength = 0
    }
  }
  totalLength += bytes.length
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

/** HMAC of `first ‖ second ‖ lastByte` (the last two optional) into `out` at `offset`. */
function hmacInto(
  key: HmacKey,
  first: Uint8Array,
  second: Uint8Array | undefined,
  lastByte: number | undefined,
  out: Uint8Array,
  offset: number,
): void {
  start(key.inner, BLOCK)
  update(first)
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
  W.fill(0)
  state.fill(0)
  block.fill(0)
  innerDigest.fill(0)
  digest.fill(0)
}

/** HMAC-SHA-256 of `message` under `key`. Inputs are validated by the caller. */
export function hmacSha256Fast(key: Uint8Array, message: Uint8Array): Uint8Array {
  const keyed = hmacKey(key)
  const out = new Uint8Array(DIGEST)
  hmacInto(keyed, message, undefined, undefined, out, 0)
  wipe(keyed)
  wipeScratch()
  return out
}

// "No salt" is the common case (PROTOCOL.md §0): its HMAC key is computed once.
const zeroSaltKey = hmacKey(new Uint8Array(DIGEST))
const prk = new Uint8Array(DIGEST)
const expandScratch: HmacKey = { inner: new Int32Array(8), outer: new Int32Array(8) }
function isZeroSalt(salt: Uint8Array): boolean {
  if (salt.length !== DIGEST) return false
  let bits = 0
  for (let i = 0; i < DIGEST; i++) bits |= salt[i]!
  return bits === 0
}

/** RFC 5869 HKDF-SHA-256. Inputs are validated by the caller (length ≤ 255 × 32). */
export function hkdfSha256Fast(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  const extractKey = isZeroSalt(salt) ? zeroSaltKey : hmacKey(salt)
  hmacInto(extractKey, ikm, undefined, undefined, prk, 0)
  if (extractKey !== zeroSaltKey) wipe(extractKey)
  const expandKey = hmacKey(prk, expandScratch)
  prk.fill(0)
  const blocks = Math.ceil(length / DIGEST)
  const okm = new Uint8Array(blocks * DIGEST)
  hmacInto(expandKey, info, undefined, 1, okm, 0)
  for (let i = 1; i < blocks; i++) {
    hmacInto(expandKey, okm.subarray((i - 1) * DIGEST, i * DIGEST), info, i + 1, okm, i * DIGEST)
  }
  wipe(expandKey)
  wipeScratch()
  if (okm.length === length) return okm
  const trimmed = okm.slice(0, length)
  okm.fill(0)
  return trimmed
}
