import {
  NONCE_BYTES,
  WeshError,
  assertBytes,
  bytesToUtf8,
  concatBytes,
  constantTimeEqual,
  open,
  randomBytes,
  seal,
  utf8ToBytes,
} from '@wesh/crypto'
import { type SecretStore, SecretStoreErrorCode } from './memory-secret-store.js'

/**
 * What a secret store needs of a `level` database (`abstract-level`): LevelDB on Node (classic-level), IndexedDB
 * in a browser (browser-level), both opened with `valueEncoding: 'view'`.
 */
export interface SecretLevel {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  del(key: string): Promise<void>
  keys(range: { gte: string; lt: string }): { all(): Promise<string[]> }
  close(): Promise<void>
}

/**
 * Secrets in a `level` database. With a 32-byte `storeKey` every value is sealed (secretbox, random nonce)
 * together with its name, so values can be neither read nor swapped without the key. Without one they are
 * stored as they are: the storage's own protection (file permissions, the browser's origin) is then all there is.
 */
export class SealedLevelSecretStore implements SecretStore {
  readonly #db: SecretLevel
  readonly #key: Uint8Array | undefined

  protected constructor(db: SecretLevel, key: Uint8Array | undefined) {
    if (key !== undefined) assertBytes(key, 'storeKey', 32)
    this.#db = db
    this.#key = key && new Uint8Array(key)
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const stored = await this.#db.get(name)
    if (stored === undefined) return undefined
    // Copied: LevelDB hands out Node Buffers, callers get plain bytes of their own.
    return this.#key ? this.#unseal(name, stored) : new Uint8Array(stored)
  }

  async put(name: string, value: Uint8Array): Promise<void> {
    assertBytes(value, 'value')
    await this.#db.put(name, this.#key ? this.#seal(name, value) : value)
  }

  async delete(name: string): Promise<void> {
    await this.#db.del(name)
  }

  async names(prefix: string): Promise<string[]> {
    return this.#db.keys({ gte: prefix, lt: `${prefix}\uffff` }).all()
  }

  async close(): Promise<void> {
    this.#key?.fill(0)
    await this.#db.close()
  }

  // The sealed plaintext is len(name) ‖ name ‖ value, so a value moved under another name does not open.
  #seal(name: string, value: Uint8Array): Uint8Array {
    const nameBytes = utf8ToBytes(name)
    const nonce = randomBytes(NONCE_BYTES)
    const plaintext = concatBytes(lengthPrefix(nameBytes.length), nameBytes, value)
    const sealed = concatBytes(nonce, seal(this.#key as Uint8Array, nonce, plaintext))
    plaintext.fill(0)
    return sealed
  }

  #unseal(name: string, stored: Uint8Array): Uint8Array {
    try {
      const plaintext = open(
        this.#key as Uint8Array,
        stored.subarray(0, NONCE_BYTES),
        stored.subarray(NONCE_BYTES),
      )
      const length = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(0)
      const storedName = plaintext.subarray(4, 4 + length)
      if (!constantTimeEqual(storedName, utf8ToBytes(name)))
        throw new Error(`stored under ${bytesToUtf8(storedName)}`)
      return plaintext.slice(4 + length)
    } catch (cause) {
      throw new WeshError(
        SecretStoreErrorCode.SECRET_STORE_CORRUPT,
        `secret ${name} does not open under the store key`,
        {
          cause,
        },
      )
    }
  }
}

function lengthPrefix(length: number): Uint8Array {
  const prefix = new Uint8Array(4)
  new DataView(prefix.buffer).setUint32(0, length)
  return prefix
}
