import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { CryptoErrorCode, WeshError } from './errors.js'
import { assertBytes } from './validate.js'

// Strings appear only at the edges (links, CLI, JSON, logs); these codecs are strict so that a malformed
// string is an INVALID_ENCODING error, never silently different bytes.

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  return bytesToHex(bytes)
}

/** Bytes of a hex string (either case, even length). */
export function fromHex(text: string): Uint8Array {
  assertString(text, 'text')
  try {
    return hexToBytes(text)
  } catch (cause) {
    throw encodingError('hex', cause)
  }
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  return encode(bytes, STANDARD, true)
}

/** Bytes of standard, padded base64; rejects missing padding, stray characters and non-canonical endings. */
export function fromBase64(text: string): Uint8Array {
  assertString(text, 'text')
  if (text.length % 4 !== 0) throw encodingError('base64')
  return decode(text, STANDARD, 'base64')
}

/** URL-safe base64 without padding (RFC 4648 §5), as used in `wesh://` links. */
export function toBase64Url(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  return encode(bytes, URL_SAFE, false)
}

/** Bytes of URL-safe base64, with or without padding. */
export function fromBase64Url(text: string): Uint8Array {
  assertString(text, 'text')
  if (text.includes('=') && text.length % 4 !== 0) throw encodingError('base64url')
  return decode(text, URL_SAFE, 'base64url')
}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes of `text`. */
export function utf8ToBytes(text: string): Uint8Array {
  assertString(text, 'text')
  return utf8Encoder.encode(text)
}

/** Text of UTF-8 `bytes`; rejects invalid sequences. */
export function bytesToUtf8(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  try {
    return utf8Decoder.decode(bytes)
  } catch (cause) {
    throw encodingError('utf-8', cause)
  }
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63) + alphabet.charAt((n >> 6) & 63)
    out += alphabet.charAt(n & 63)
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63) + (pad ? '==' : '')
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63) + alphabet.charAt((n >> 6) & 63)
    out += pad ? '=' : ''
  }
  return out
}

function decode(text: string, alphabet: string, name: string): Uint8Array {
  const body = text.replace(/={1,2}$/, '')
  if (body.length % 4 === 1) throw encodingError(name)
  const out = new Uint8Array(Math.floor((body.length * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (const char of body) {
    const value = alphabet.indexOf(char)
    if (value < 0) throw encodingError(name)
    buffer = ((buffer << 6) | value) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >> bits) & 0xff
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((buffer & ((1 << bits) - 1)) !== 0) throw encodingError(name)
  return out
}

function assertString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, `${argument} must be a string`, {
      data: { argument },
    })
  }
}

function encodingError(encoding: string, cause?: unknown): WeshError {
  return new WeshError(CryptoErrorCode.INVALID_ENCODING, `text is not valid ${encoding}`, {
    data: { encoding },
    cause,
  })
}

/**
 * Bytes of a base64 field of serialised state (`{ v: 1, key: "…" }`), of exactly `length` bytes. Malformed input
 * is reported through `invalid(message, cause)`, so each package throws its own state error code.
 */
export function decodeBase64Field(
  value: unknown,
  field: string,
  length: number,
  invalid: (message: string, cause?: unknown) => Error,
): Uint8Array {
  if (typeof value !== 'string') throw invalid(`${field} is not a string`)
  let bytes: Uint8Array
  try {
    bytes = fromBase64(value)
  } catch (cause) {
    throw invalid(`${field} is not base64`, cause)
  }
  if (bytes.length !== length) throw invalid(`${field} is not ${length} bytes`)
  return bytes
}
