import { afterAll, describe, expect, it } from 'vitest'
import {
  CryptoErrorCode,
  WeshError,
  fromHex,
  nativeBackend,
  pureBackend,
  useCryptoBackend,
  x25519,
} from '../src/index.js'

// RFC 7748 §7 and libsodium's blocklist: points of small order force a zero (or predictable) shared secret.
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
]

describe.each([pureBackend.name, ...(nativeBackend ? [nativeBackend.name] : [])])('X25519 on %s', (name) => {
  afterAll(() => useCryptoBackend('auto'))

  it.each(LOW_ORDER_POINTS)('refuses the low-order point %s with WEAK_KEY', (point) => {
    useCryptoBackend(name)
    const attempt = () => x25519(new Uint8Array(32).fill(7), fromHex(point))
    expect(attempt).toThrow(WeshError)
    expect(attempt).toThrow(expect.objectContaining({ code: CryptoErrorCode.WEAK_KEY }))
  })
})
