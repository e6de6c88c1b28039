import { assertBytes } from '@wesh/crypto'
import { ClassicLevel } from 'classic-level'
import { SealedLevelSecretStore } from './sealed-level-secret-store.js'

export { MemorySecretStore, SecretStoreErrorCode, type SecretStore } from './memory-secret-store.js'

/**
 * Secrets in LevelDB under `path`, sealed under `storeKey` when one is given (see {@link SealedLevelSecretStore}).
 * Without a key the directory's file permissions are the only protection.
 */
export class LevelSecretStore extends SealedLevelSecretStore {
  static async open(path: string, storeKey?: Uint8Array): Promise<LevelSecretStore> {
    if (storeKey !== undefined) assertBytes(storeKey, 'storeKey', 32)
    const db = new ClassicLevel<string, Uint8Array>(path, { valueEncoding: 'view' })
    await db.open()
    return new LevelSecretStore(db, storeKey)
  }
}
