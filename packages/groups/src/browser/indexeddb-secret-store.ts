import { assertBytes } from '@wesh/crypto'
import { BrowserLevel } from 'browser-level'
import { SealedLevelSecretStore } from '../node/sealed-level-secret-store.js'

/**
 * Secrets in an IndexedDB database named `name`, sealed under `storeKey` when one is given (see
 * {@link SealedLevelSecretStore}). Without a key the browser's per-origin storage is the only protection.
 */
export class IndexedDbSecretStore extends SealedLevelSecretStore {
  static async open(name: string, storeKey?: Uint8Array): Promise<IndexedDbSecretStore> {
    if (storeKey !== undefined) assertBytes(storeKey, 'storeKey', 32)
    const db = new BrowserLevel<string, Uint8Array>(name, { valueEncoding: 'view' })
    await db.open()
    return new IndexedDbSecretStore(db, storeKey)
  }
}
