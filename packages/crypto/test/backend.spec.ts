import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { boxKeyOfSharedSecret } from '../src/box.js'
import {
  box,
  boxOpen,
  boxPrecompute,
  cryptoBackend,
  ed25519PublicKey,
  ed25519Signer,
  edToX25519PublicKey,
  edToX25519SecretKey,
  fromHex,
  hkdfSha256,
  hkdfSha3_256,
  hmacSha256,
  nativeBackend,
  open,
  pureBackend,
  seal,
  sign,
  toHex,
  useCryptoBackend,
  verify,
  verifyAsync,
  x25519,
  x25519PublicKey,
} from '../src/index.js'
import { loadVectors } from './load-vectors.js'

type Hex = string
const hmacCases = loadVectors<{ name: string; key: Hex; data: Hex; mac: Hex }>('hmac-sha256')
type HkdfCase = { name: string; ikm: Hex; salt: Hex; info: Hex; length: number; okm: Hex }
const hkdfCases = loadVectors<HkdfCase>('hkdf-sha256')
const hkdf3Cases = loadVectors<HkdfCase>('hkdf-sha3-256')
const edCases = loadVectors<{ name: string; seed: Hex; publicKey: Hex; message: Hex; signature: Hex }>(
  'ed25519',
)
const edInvalid = loadVectors<{ name: string; publicKey: Hex; message: Hex; signature: Hex }>(
  'ed25519-invalid',
)
const xCases = loadVectors<{ name: string; scalar: Hex; u: Hex; out: Hex }>('x25519')
const edToX = loadVectors<{ name: string; seed: Hex; edPublicKey: Hex; xPublicKey: Hex; xSecretKey: Hex }>(
  'ed-to-x25519',
)
const secretboxCases = loadVectors<{ name: string; key: Hex; nonce: Hex; plaintext: Hex; box: Hex }>(
  'secretbox',
)
const boxCases = loadVectors<{
  name: string
  senderSecret: Hex
  senderPublic: Hex
  recipientSecret: Hex
  recipientPublic: Hex
  precomputed: Hex
  nonce: Hex
  plaintext: Hex
  box: Hex
}>('box')
const hsalsaCases = loadVectors<{ name: string; key: Hex; input16: Hex; out: Hex }>('hsalsa20')

const X25519_BASE = fromHex('09'.padEnd(64, '0'))
const backends = [pureBackend, ...(nativeBackend ? [nativeBackend] : [])]

it('uses the native backend on Node', () => {
  expect(nativeBackend).toBeDefined()
  expect(cryptoBackend().name).toBe('native')
})

describe.each(backends.map((backend) => backend.name))('%s backend', (name) => {
  beforeEach(() => useCryptoBackend(name))
  afterAll(() => useCryptoBackend('auto'))
  const h = fromHex

  it.each(hmacCases)('HMAC-SHA-256 $name', (v) => {
    expect(toHex(hmacSha256(h(v.key), h(v.data)))).toBe(v.mac)
  })

  it.each(hkdfCases)('HKDF-SHA-256 $name', (v) => {
    expect(toHex(hkdfSha256(h(v.ikm), v.length, { salt: h(v.salt), info: h(v.info) }))).toBe(v.okm)
  })

  it.each(hkdf3Cases)('HKDF-SHA3-256 $name', (v) => {
    expect(toHex(hkdfSha3_256(h(v.ikm), v.length, { salt: h(v.salt), info: h(v.info) }))).toBe(v.okm)
  })

  it('HKDF without salt uses 32 zero bytes', () => {
    const ikm = h('11'.repeat(32))
    expect(hkdfSha256(ikm, 64)).toEqual(hkdfSha256(ikm, 64, { salt: new Uint8Array(32) }))
  })

  it.each(edCases)('Ed25519 $name', async (v) => {
    expect(toHex(ed25519PublicKey(h(v.seed)))).toBe(v.publicKey)
    expect(toHex(sign(h(v.seed), h(v.message)))).toBe(v.signature)
    expect(verify(h(v.publicKey), h(v.message), h(v.signature))).toBe(true)
    expect(await verifyAsync(h(v.publicKey), h(v.message), h(v.signature))).toBe(true)
  })

  it.each(edInvalid)('Ed25519 rejects $name', async (v) => {
    expect(verify(h(v.publicKey), h(v.message), h(v.signature))).toBe(false)
    expect(await verifyAsync(h(v.publicKey), h(v.message), h(v.signature))).toBe(false)
  })

  it.each(xCases)('X25519 $name', (v) => {
    expect(toHex(x25519(h(v.scalar), h(v.u)))).toBe(v.out)
    if (v.u === toHex(X25519_BASE)) expect(toHex(x25519PublicKey(h(v.scalar)))).toBe(v.out)
  })

  it.each(edToX)('Ed25519 to X25519 $name', (v) => {
    expect(toHex(edToX25519PublicKey(h(v.edPublicKey)))).toBe(v.xPublicKey)
    expect(toHex(edToX25519SecretKey(h(v.seed)))).toBe(v.xSecretKey)
    expect(toHex(x25519PublicKey(h(v.xSecretKey)))).toBe(v.xPublicKey)
  })

  it.each(secretboxCases)('secretbox $name', (v) => {
    expect(toHex(seal(h(v.key), h(v.nonce), h(v.plaintext)))).toBe(v.box)
    expect(toHex(open(h(v.key), h(v.nonce), h(v.box)))).toBe(v.plaintext)
  })

  it.each(boxCases)('box $name', (v) => {
    expect(toHex(boxPrecompute(h(v.senderSecret), h(v.recipientPublic)))).toBe(v.precomputed)
    expect(toHex(boxPrecompute(h(v.recipientSecret), h(v.senderPublic)))).toBe(v.precomputed)
    expect(toHex(box(h(v.senderSecret), h(v.recipientPublic), h(v.nonce), h(v.plaintext)))).toBe(v.box)
    expect(toHex(boxOpen(h(v.recipientSecret), h(v.senderPublic), h(v.nonce), h(v.box)))).toBe(v.plaintext)
    expect(toHex(seal(h(v.precomputed), h(v.nonce), h(v.plaintext)))).toBe(v.box)
  })

  it.each(hsalsaCases)('HSalsa20 box key $name', (v) => {
    expect(v.input16).toBe('00'.repeat(16))
    expect(toHex(boxKeyOfSharedSecret(h(v.key)))).toBe(v.out)
  })
})

describe.each(backends.map((backend) => backend.name))('Ed25519 signer on %s', (name) => {
  beforeEach(() => useCryptoBackend(name))
  afterAll(() => useCryptoBackend('auto'))

  it.each(edCases)('signs like sign() for $name', (v) => {
    const signer = ed25519Signer(fromHex(v.seed))
    expect(toHex(signer.publicKey)).toBe(v.publicKey)
    expect(toHex(signer.sign(fromHex(v.message)))).toBe(v.signature)
  })

  it('copies the seed and refuses to sign once destroyed', () => {
    const seed = fromHex(edCases[0]!.seed)
    const signer = ed25519Signer(seed)
    seed.fill(0)
    expect(toHex(signer.sign(new Uint8Array()))).toBe(edCases[0]!.signature)
    signer.destroy()
    expect(() => signer.sign(new Uint8Array())).toThrow(expect.objectContaining({ code: 'KEY_DESTROYED' }))
  })
})
