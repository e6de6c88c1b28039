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
import { ClassicLevel } from 'classic-level'

/** Where a node keeps its secrets (account keys, chain keys, log identities): a narrow key-value store. */
export interface SecretStore {
  get(name: string): Promise<Uint8Array | undefined>
  put(name: string, value: Uint8Array): Promise<void>
  delete(name: string): Promise<void>
  /** Every name under `prefix`, in byte order. */
  names(prefix: string): Promise<string[]>
  close(): Promise<void>
}

export const SecretStoreErrorCode = {
  /** A stored secret does not open under the store key: wrong key, or the file was altered. */
  SECRET_STORE_CORRUPT: 'SECRET_STORE_CORRUPT',
} as const

/** Secrets in memory only: for tests and throwaway nodes. */
export class MemorySecretStore implements SecretStore {
  readonly #values = new Map<string, Uint8Array>()

  get(name: string): Promise<Uint8Array | undefined> {
    const value = this.#values.get(name)
    return Promise.resolve(value && new Uint8Array(value))
  }

  put(name: string, value: Uint8Array): Promise<void> {
    assertBytes(value, 'value')
    this.#values.set(name, new Uint8Array(value))
    return Promise.resolve()
  }

  delete(name: string): Promise<void> {
    this.#values.get(name)?.fill(0)
    this.#values.delete(name)
    return Promise.resolve()
  }

  names(prefix: string): Promise<string[]> {
    return Promise.resolve([...this.#values.keys()].filter((name) => name.startsWith(prefix)).sort())
  }

  close(): Promise<void> {
    for (const value of this.#values.values()) value.fill(0)
    this.#values.clear()
    return Promise.resolve()
  }
}

/**
 * Secrets in LevelDB under `path`. With a 32-byte `storeKey` every value is sealed (secretbox, random nonce)
 * together with its name, so values can be neither read nor swapped without the key. Without one they are
 * stored as they are: the directory's file permissions are then the only protection.
 */
export class LevelSecretStore implements SecretStore {
  readonly #db: ClassicLevel<string, Uint8Array>
  readonly #key: Uint8Array | undefined

  private constructor(db: ClassicLevel<string, Uint8Array>, key: Uint8Array | undefined) {
    this.#db = db
    this.#key = key && new Uint8Array(key)
  }

  static async open(path: string, storeKey?: Uint8Array): Promise<LevelSecretStore> {
    if (storeKey !== undefined) assertBytes(storeKey, 'storeKey', 32)
    const db = new ClassicLevel<string, Uint8Array>(path, { valueEncoding: 'view' })
    await db.open()
    return new LevelSecretStore(db, storeKey)
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
