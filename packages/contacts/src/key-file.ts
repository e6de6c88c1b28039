import { scryptAsync } from '@noble/hashes/scrypt.js'
import type * as NodeCrypto from 'node:crypto'
import {
  assertInteger,
  bytesToUtf8,
  decodeBase64Field,
  erase,
  fromBase64,
  open,
  randomBytes,
  seal,
  toBase64,
  utf8ToBytes,
} from '@wesh/crypto'
import { AccountKeys, type AccountStateV1 } from '@wesh/groups'
import {
  KEY_FILE_SALT_BYTES,
  KEY_FILE_SCRYPT_LOG_N,
  KEY_FILE_SCRYPT_P,
  KEY_FILE_SCRYPT_R,
  KEY_FILE_VERSION,
  MAX_KEY_FILE_BYTES,
  MAX_KEY_FILE_SCRYPT_LOG_N,
  MAX_KEY_FILE_SCRYPT_P,
  MIN_KEY_FILE_SCRYPT_LOG_N,
  MIN_PASSPHRASE_CHARS,
} from './constants.js'
import { ContactsErrorCode, contactsError } from './errors.js'

// The fallback of PROTOCOL.md §6.3 (the reference's only way): the account keys without device key, sealed with
// NaCl secretbox under scrypt(passphrase), in versioned JSON. A wrong passphrase and an altered file look the
// same: the box does not open. The parameters are not authenticated separately; changing them changes the key.

/** The key file, as JSON. */
export interface KeyFileV1 {
  readonly v: 1
  readonly kind: 'wesh-account-keys'
  readonly kdf: {
    readonly name: 'scrypt'
    readonly logN: number
    readonly r: number
    readonly p: number
    readonly salt: string
  }
  readonly cipher: 'xsalsa20-poly1305'
  readonly nonce: string
  readonly box: string
}

/**
 * Writes the account keys (account and alias keys, rendezvous seed; never this device's key) to a key file
 * protected by `passphrase` (at least {@link MIN_PASSPHRASE_CHARS} characters). `logN` lowers the scrypt cost for
 * tests only. Returns the file's text.
 */
export async function exportAccountKeyFile(
  keys: AccountKeys,
  passphrase: string,
  options: { logN?: number } = {},
): Promise<string> {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_CHARS) {
    throw contactsError(
      ContactsErrorCode.INVALID_KEY_FILE,
      `the passphrase needs ${MIN_PASSPHRASE_CHARS} characters`,
      {
        data: { reason: 'short passphrase' },
      },
    )
  }
  const logN = options.logN ?? KEY_FILE_SCRYPT_LOG_N
  assertInteger(logN, 'logN', MIN_KEY_FILE_SCRYPT_LOG_N, MAX_KEY_FILE_SCRYPT_LOG_N)
  const salt = randomBytes(KEY_FILE_SALT_BYTES)
  const nonce = randomBytes(24)
  const key = await deriveKey(passphrase, salt, logN, KEY_FILE_SCRYPT_R, KEY_FILE_SCRYPT_P)
  const state = utf8ToBytes(JSON.stringify(keys.exportState({ device: false })))
  try {
    const file: KeyFileV1 = {
      v: KEY_FILE_VERSION,
      kind: 'wesh-account-keys',
      kdf: { name: 'scrypt', logN, r: KEY_FILE_SCRYPT_R, p: KEY_FILE_SCRYPT_P, salt: toBase64(salt) },
      cipher: 'xsalsa20-poly1305',
      nonce: toBase64(nonce),
      box: toBase64(seal(key, nonce, state)),
    }
    return JSON.stringify(file)
  } finally {
    erase(key, state)
  }
}

/**
 * Reads a key file: the account's keys with a fresh device key for this device. Throws `INVALID_KEY_FILE`
 * (not a key file, unknown version, parameters out of range) or `WRONG_PASSPHRASE`.
 */
export async function importAccountKeyFile(text: string, passphrase: string): Promise<AccountKeys> {
  if (typeof text !== 'string' || text.length > MAX_KEY_FILE_BYTES)
    throw invalid('not a key file of at most 4 096 bytes')
  if (typeof passphrase !== 'string') throw invalid('the passphrase must be a string')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw invalid('not JSON', cause)
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('not a JSON object')
  const file = parsed as Record<string, unknown>
  if (file.v !== KEY_FILE_VERSION) throw invalid(`unknown version ${String(file.v)}`)
  if (file.kind !== 'wesh-account-keys' || file.cipher !== 'xsalsa20-poly1305')
    throw invalid('not a Wesh key file')
  const kdf = file.kdf as Record<string, unknown> | null
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt') throw invalid('unknown KDF')
  const { logN, r, p } = kdf
  if (!isIntegerIn(logN, MIN_KEY_FILE_SCRYPT_LOG_N, MAX_KEY_FILE_SCRYPT_LOG_N))
    throw invalid('scrypt logN out of range')
  if (r !== KEY_FILE_SCRYPT_R) throw invalid('scrypt r out of range')
  if (!isIntegerIn(p, 1, MAX_KEY_FILE_SCRYPT_P)) throw invalid('scrypt p out of range')
  const salt = decodeBase64Field(kdf.salt, 'salt', KEY_FILE_SALT_BYTES, invalid)
  const nonce = decodeBase64Field(file.nonce, 'nonce', 24, invalid)
  if (typeof file.box !== 'string') throw invalid('box is not a string')
  let box: Uint8Array
  try {
    box = fromBase64(file.box)
  } catch (cause) {
    throw invalid('box is not base64', cause)
  }
  const key = await deriveKey(passphrase, salt, logN, r, p)
  let state: Uint8Array
  try {
    state = open(key, nonce, box)
  } catch (cause) {
    throw contactsError(
      ContactsErrorCode.WRONG_PASSPHRASE,
      'the key file does not open with this passphrase',
      {
        cause,
      },
    )
  } finally {
    erase(key)
  }
  try {
    return AccountKeys.fromState(JSON.parse(bytesToUtf8(state)) as AccountStateV1)
  } catch (cause) {
    throw invalid('the sealed account state is malformed', cause)
  } finally {
    erase(state)
  }
}

// Node's native scrypt runs on the libuv pool, so a node keeps serving while it works. It is looked up at run time
// rather than imported, so that browser bundles never see a `node:` import; there @noble's scrypt (same bytes,
// yielding to the page between rounds) takes over.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined

function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  logN: number,
  r: number,
  p: number,
): Promise<Uint8Array> {
  const N = 2 ** logN
  const password = passphrase.normalize('NFKC')
  if (nodeCrypto === undefined) return scryptAsync(password, salt, { N, r, p, dkLen: 32 })
  const { scrypt } = nodeCrypto
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r * p }, (error, key) => {
      if (error) reject(error)
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength))
    })
  })
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
}

function invalid(reason: string, cause?: unknown) {
  return contactsError(ContactsErrorCode.INVALID_KEY_FILE, `invalid key file: ${reason}`, {
    data: { reason },
    cause,
  })
}
