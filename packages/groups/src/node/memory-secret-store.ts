import { assertBytes } from '@wesh/crypto'

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
