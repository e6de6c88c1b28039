/* eslint-disable @typescript-eslint/no-non-null-assertion -- fixed-size typed arrays indexed in range by
   construction; a helper function here made the element reads polymorphic and the hash twice as slow. */
// HMAC-SHA-256 and HKDF-SHA-256 without per-call allocation.
//
// Why not @noble/hashes here: the ratchet derives one HKDF per message from 32-byte inputs, where @noble's
// cost is its hash objects (about 10 µs per HKDF on the reference machine), not the 9 SHA-256 blocks
// (about 1.5 µs). This file is FIPS 180-4 SHA-256 over preallocated buffers, pinned by the RFC 4231 and
// RFC 5869 vectors and by property tests against @noble on random inputs. Not constant-time-relevant:
// SHA-256 has no secret-dependent branches or indices.
import type { Sha256Mac } from './backend.js'
import { compressBlock } from './sha256-compress.js'

const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const BLOCK = 64
const DIGEST = 32
const DIGEST_WORDS = 8

// Scratch shared by every call: JavaScript runs one call at a time and none of them yields.
const state = new Int32Array(8)
/** The block being filled, as the big-endian words the compression reads. */
const blockWords = new Int32Array(BLOCK / 4)
let blockLength = 0
let totalLength = 0

function compress(): void {
  compressBlock(state, blockWords, state)
}

/** Starts a hash from `from` (the IV, or a saved state after `absorbed` bytes). */
function start(from: Int32Array, absorbed: number): void {
  state.set(from)
  blockLength = 0
  totalLength = absorbed
}

/** Absorbs `bytes[from…to)`, a word at a time where the block is at a word boundary. */
function update(bytes: Uint8Array, from = 0, to = bytes.length): void {
  let i = from
  while (i < to) {
    if ((blockLength & 3) === 0 && to - i >= 4) {
      blockWords[blockLength >>> 2] = wordAt(bytes, i)
      blockLength += 4
      i += 4
    } else {
      putByte(bytes[i]!)
      i++
    }
    if (blockLength === BLOCK) {
      compress()
      blockLength = 0
    }
  }
  totalLength += to - from
}

function updateByte(byte: number): void {
  putByte(byte)
  totalLength += 1
  if (blockLength === BLOCK) {
    compress()
    blockLength = 0
  }
}

/** Writes `byte` at `blockLength`: the bytes before it in its word are kept, those after it zeroed. */
function putByte(byte: number): void {
  const index = blockLength >>> 2
  const shift = 24 - 8 * (blockLength & 3)
  const kept = shift === 24 ? 0 : blockWords[index]! & (-1 << (shift + 8))
  blockWords[index] = kept | (byte << shift)
  blockLength++
}

/** Pads, compresses and writes the 32-byte digest into `out` at `offset`. */
function finish(out: Uint8Array, offset: number): void {
  const bits = totalLength * 8
  putByte(0x80)
  if (blockLength > BLOCK - 8) {
    for (let i = (blockLength + 3) >>> 2; i < 16; i++) blockWords[i] = 0
    compress()
    blockLength = 0
  }
  for (let i = (blockLength + 3) >>> 2; i < 14; i++) blockWords[i] = 0
  blockWords[14] = Math.floor(bits / 0x100000000)
  blockWords[15] = bits | 0
  compress()
  storeWords(state, out, offset)
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
    for (let i = 0; i < BLOCK / 4; i++) blockWords[i] = wordAt(keyBlock, 4 * i) ^ (byte * 0x01010101)
    compressBlock(IV, blockWords, saved)
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
  blockWords.fill(0)
  innerDigest.fill(0)
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
  const extractKey = isZeroSalt(salt) ? zeroSaltKey : hmacKey(salt)
  if (ikm.length === DIGEST && info.length === DIGEST) hkdfOfDigestsInto(extractKey, ikm, info, out)
  else hkdfOfBytesInto(extractKey, ikm, info, out)
  if (extractKey !== zeroSaltKey) {
    wipe(extractKey)
    wipeScratch()
  }
}

function hkdfOfBytesInto(extractKey: HmacKey, ikm: Uint8Array, info: Uint8Array, out: Uint8Array): void {
  // Extract: PRK = HMAC(salt, ikm); `ikm` is fully read here, before anything is written to `out`.
  hmacInto(extractKey, ikm, 0, ikm.length, undefined, undefined, prk, 0)
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

// HKDF of a 32-byte ikm and a 32-byte info: the ratchet step (PROTOCOL.md §3), once per message. Every HMAC
// message here is whole 32-bit words (digests, the ikm, the info) plus at most the counter byte, so each block is
// built as words, and each compression writes its digest straight into the first half of the next block: no byte
// buffer, no per-byte loop, no state copies. The nine compressions are what HKDF needs (two for extract, two for
// the PRK's pads, two for T(1), three for each further T(i)). All the scratch is one array, wiped in one call.
const digestScratch = new Int32Array(2 * 16 + 4 * DIGEST_WORDS)
const digestViews = {
  /** The block being hashed; its first half (`head`) receives each digest. */
  message: digestScratch.subarray(0, 16),
  head: digestScratch.subarray(0, DIGEST_WORDS),
  /** The PRK's pad blocks, then the last block of each T(i ≥ 2)'s inner hash. */
  side: digestScratch.subarray(16, 32),
  info: digestScratch.subarray(32, 40),
  expandInner: digestScratch.subarray(40, 48),
  expandOuter: digestScratch.subarray(48, 56),
  midState: digestScratch.subarray(56, 64),
}

function hkdfOfDigestsInto(extractKey: HmacKey, ikm: Uint8Array, info: Uint8Array, out: Uint8Array): void {
  // Locals, not module bindings, and literal constants: V8 then keeps them between the compressions instead of
  // reloading and rechecking each one after every call (≈ 0.1 µs of the step here).
  const { message, head, side, expandInner, expandOuter, midState } = digestViews
  const infoWords = digestViews.info
  const PAD = 0x80000000 | 0 // the 0x80 byte that starts SHA-256 padding, then zeros
  // Bit lengths of the final blocks: HMAC hashes the 64-byte key block, then the message.
  const digestBits = (64 + 32) * 8 // extract, and every outer hash
  const firstBits = (64 + 32 + 1) * 8 // T(1): info ‖ 1
  const nextBits = (64 + 64 + 1) * 8 // T(i ≥ 2): T(i−1) ‖ info ‖ i

  // Both inputs are read before anything is written to `out`, which may hold `ikm`.
  loadWords(ikm, head)
  loadWords(info, infoWords)
  // Extract: PRK = HMAC(salt, ikm), then its two pad states.
  finalTail(message, PAD, digestBits)
  compressBlock(extractKey.inner, message, head)
  finalTail(message, PAD, digestBits)
  compressBlock(extractKey.outer, message, head)
  padKey(head, side, 0x36363636, expandInner)
  padKey(head, side, 0x5c5c5c5c, expandOuter)
  // Expand: T(1) = HMAC(PRK, info ‖ 0x01).
  for (let i = 0; i < DIGEST_WORDS; i++) head[i] = infoWords[i]!
  finalTail(message, (1 << 24) | 0x800000, firstBits)
  compressBlock(expandInner, message, head)
  finalTail(message, PAD, digestBits)
  compressBlock(expandOuter, message, head)
  storeWords(head, out, 0)
  // T(i) = HMAC(PRK, T(i−1) ‖ info ‖ i): its inner hash is one full block (T(i−1), already in `head`, ‖ info),
  // then i and padding.
  for (let offset = DIGEST, i = 2; offset < out.length; offset += DIGEST, i++) {
    for (let j = 0; j < DIGEST_WORDS; j++) message[DIGEST_WORDS + j] = infoWords[j]!
    compressBlock(expandInner, message, midState)
    side[0] = (i << 24) | 0x800000
    for (let j = 1; j < 15; j++) side[j] = 0
    side[15] = nextBits
    compressBlock(midState, side, head)
    finalTail(message, PAD, digestBits)
    compressBlock(expandOuter, message, head)
    storeWords(head, out, offset)
  }
  digestScratch.fill(0)
}

/** Big-endian words of the 32 bytes `bytes` into `into[0…8)`. */
function loadWords(bytes: Uint8Array, into: Int32Array): void {
  for (let i = 0; i < DIGEST_WORDS; i++) into[i] = wordAt(bytes, 4 * i)
}

/** The big-endian 32-bit word at `bytes[i…i+4)`. */
function wordAt(bytes: Uint8Array, i: number): number {
  return (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!
}

/** `message[8…16)` := `nextWord` ‖ 0… ‖ `bits`: the rest of a final block after 32 bytes. */
function finalTail(message: Int32Array, nextWord: number, bits: number): void {
  message[8] = nextWord
  for (let i = 9; i < 15; i++) message[i] = 0
  message[15] = bits
}

/** `into` := the state after one block of the 32-byte key `key`, zero-padded, ⊕ `pad` (RFC 2104). */
function padKey(key: Int32Array, block: Int32Array, pad: number, into: Int32Array): void {
  for (let i = 0; i < DIGEST_WORDS; i++) block[i] = key[i]! ^ pad
  for (let i = DIGEST_WORDS; i < 16; i++) block[i] = pad
  compressBlock(IV, block, into)
}

/** Big-endian bytes of the 8 words `digestWords` into `out` from `offset`, as many as fit. */
function storeWords(digestWords: Int32Array, out: Uint8Array, offset: number): void {
  if (offset + DIGEST <= out.length) {
    for (let i = 0; i < DIGEST_WORDS; i++) {
      const word = digestWords[i]!
      const j = offset + 4 * i
      out[j] = word >>> 24
      out[j + 1] = word >>> 16
      out[j + 2] = word >>> 8
      out[j + 3] = word
    }
  } else {
    for (let j = offset; j < out.length; j++) {
      out[j] = digestWords[(j - offset) >>> 2]! >>> (24 - 8 * ((j - offset) & 3))
    }
  }
}

/** FIPS 180-4 SHA-256 in JavaScript: runs everywhere. Inputs are validated by the caller. */
export const pureSha256Mac: Sha256Mac = { hmacSha256, hkdfSha256Into }
