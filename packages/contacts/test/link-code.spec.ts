import { inspect } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { isWeshError, randomBytes, toBase64Url } from '@wesh/crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ContactsErrorCode,
  LINK_CODE_PREFIX,
  MAX_LINK_CODE_ADDRESSES,
  MAX_LINK_CODE_CHARS,
  encodeLinkCode,
  linkCodeText,
  parseLinkCode,
  type LinkCode,
} from '../src/index.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000)

async function sampleCode(addresses = 2): Promise<LinkCode> {
  return {
    peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')),
    multiaddrs: Array.from({ length: addresses }, (_, i) => multiaddr(`/ip4/127.0.0.1/tcp/${4000 + i}`)),
    codeId: randomBytes(16),
    secret: randomBytes(32),
    expiresAt: 1_790_000_000_000,
  }
}

function reason(fn: () => unknown): unknown {
  try {
    fn()
    return 'none'
  } catch (error) {
    return isWeshError(error) ? error.data?.reason : 'not a WeshError'
  }
}

function code(fn: () => unknown): string {
  try {
    fn()
    return 'none'
  } catch (error) {
    return isWeshError(error) ? error.code : 'not a WeshError'
  }
}

describe('link codes', () => {
  it('round-trips through text and bytes', async () => {
    const original = await sampleCode()
    const text = linkCodeText(original)
    expect(text.startsWith(LINK_CODE_PREFIX)).toBe(true)
    for (const parsed of [parseLinkCode(text), parseLinkCode(encodeLinkCode(original))]) {
      expect(parsed.peerId.equals(original.peerId)).toBe(true)
      expect(parsed.multiaddrs.map(String)).toEqual(original.multiaddrs.map(String))
      expect(parsed.codeId).toEqual(original.codeId)
      expect(parsed.secret).toEqual(original.secret)
      expect(parsed.expiresAt).toBe(original.expiresAt)
    }
  })

  it('keeps the secret out of JSON and inspect output', async () => {
    const parsed = parseLinkCode(linkCodeText(await sampleCode()))
    const secretHex = Buffer.from(parsed.secret).toString('hex')
    for (const shown of [JSON.stringify(parsed), inspect(parsed, { depth: 5 })]) {
      expect(shown).toContain('[redacted]')
      expect(shown).not.toContain(secretHex)
      expect(shown).not.toContain(String(parsed.secret[0]) + ',' + String(parsed.secret[1]))
    }
  })

  it(`carries ${MAX_LINK_CODE_ADDRESSES} addresses and refuses one more`, async () => {
    expect(parseLinkCode(linkCodeText(await sampleCode(MAX_LINK_CODE_ADDRESSES))).multiaddrs).toHaveLength(
      MAX_LINK_CODE_ADDRESSES,
    )
    const over = await sampleCode(MAX_LINK_CODE_ADDRESSES + 1)
    expect(code(() => encodeLinkCode(over))).toBe(ContactsErrorCode.INVALID_LINK_CODE)
  })

  it(`reads texts of up to ${MAX_LINK_CODE_CHARS} characters`, async () => {
    const text = linkCodeText(await sampleCode())
    const padded = text + '#'.repeat(MAX_LINK_CODE_CHARS - text.length)
    // At the limit the text passes the length check and fails as base64url; one more fails on length.
    expect(reason(() => parseLinkCode(padded))).toBe('the link does not carry base64url')
    expect(reason(() => parseLinkCode(padded + '#'))).toMatch(/^not a wesh:\/\/link\/ link/)
    expect(code(() => parseLinkCode('wesh://contact/AAAA'))).toBe(ContactsErrorCode.INVALID_LINK_CODE)
  })

  it('refuses a code with a short secret, a bad peer ID or no expiry', async () => {
    const good = encodeLinkCode(await sampleCode())
    const parsed = parseLinkCode(good)
    const withSecret = (secret: Uint8Array) => linkCodeText({ ...parsed, secret })
    expect(code(() => withSecret(randomBytes(31)))).toBe('INVALID_LENGTH')
    expect(code(() => parseLinkCode(LINK_CODE_PREFIX + toBase64Url(Uint8Array.of(0x0a, 2, 1, 2))))).toBe(
      ContactsErrorCode.INVALID_LINK_CODE,
    )
    expect(code(() => linkCodeText({ ...parsed, expiresAt: 0 }))).toBe('none')
    expect(code(() => parseLinkCode(linkCodeText({ ...parsed, expiresAt: 0 })))).toBe(
      ContactsErrorCode.INVALID_LINK_CODE,
    )
  })

  it('never throws anything but INVALID_LINK_CODE on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const outcomes = [
          code(() => parseLinkCode(bytes)),
          code(() => parseLinkCode(LINK_CODE_PREFIX + toBase64Url(bytes))),
        ]
        return outcomes.every(
          (outcome) => outcome === ContactsErrorCode.INVALID_LINK_CODE || outcome === 'none',
        )
      }),
      { numRuns: RUNS },
    )
  })
})
