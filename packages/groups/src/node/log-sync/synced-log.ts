import {
  Entry,
  type AccessControllerInstance,
  type EncryptionModule,
  type EventsDatabase,
  type EventsPayload,
  type Identity,
  type LogEntry,
  type Storage,
} from '@orbitdb/core'
import type { Helia } from 'helia'
import { join } from 'node:path'
import { openEntryBlock } from './entry-block.js'
import { type EntryStorage, createEntryStorage } from './entry-storage.js'
import { EntrySignatures } from './entry-signatures.js'
import { type LogHistory, LogSync, type LogSyncEvent } from './log-sync.js'
import type { LogSyncService } from './log-sync-service.js'
import { ShallowIndex } from './shallow-index.js'

/** Checks remembered between a walk and OrbitDB's join of the same entries: a log of this many is checked once. */
const MAX_REMEMBERED_CHECKS = 200_000

export interface SyncedLogOptions {
  readonly ipfs: Helia
  readonly service: LogSyncService
  readonly identity: Identity
  readonly access: AccessControllerInstance
  readonly replication: EncryptionModule
  /** The database directory OrbitDB derives (`<directory>/<address>/`), where it keeps the index. */
  readonly databaseDirectory: string
  readonly history: LogHistory
  readonly onEvent?: (event: LogSyncEvent) => void
  readonly onError?: (error: unknown) => void
}

/** The parts of an OrbitDB log that log sync replaces, and how to start and stop it once the log is open. */
export interface SyncedLogParts {
  readonly identity: Identity
  readonly access: AccessControllerInstance
  readonly entryStorage: EntryStorage
  readonly indexStorage: Storage
  /** Starts syncing `db` (opened with the parts above) and serving it to peers. */
  attach(db: EventsDatabase): LogSync
  /** Stops the sync, then the entry storage (its pins); OrbitDB's own close comes after. */
  close(): Promise<void>
}

/**
 * Builds the pieces a group log needs for log sync: an index with a shallow boundary, an entry storage that reads
 * locally first, and the log's identity and access controller wrapped so that the checks a walk runs on each
 * entry are not run a second time by OrbitDB's join (same checks, same results: the access controller's verdict
 * is remembered by entry hash, which commits to the whole entry; the writer's signature by the signature).
 */
export async function prepareSyncedLog(options: SyncedLogOptions): Promise<SyncedLogParts> {
  const { ipfs, service, replication } = options
  const index = await ShallowIndex.open(join(options.databaseDirectory, 'log', '_index'))
  const entryStorage = await createEntryStorage({
    ipfs,
    blocks: service.blocks,
    isElided: (hash) => index.elided.has(hash),
    ...(options.onError ? { onError: options.onError } : {}),
  })
  const signatures = new EntrySignatures({ maxRemembered: MAX_REMEMBERED_CHECKS })
  const identity = signatures.wrap(options.identity)
  const checkOnly = signatures.wrap(options.identity, { remember: false })
  const access = rememberingAccess(options.access)
  let sync: LogSync | undefined
  return {
    identity,
    access,
    entryStorage,
    indexStorage: index.storage,
    attach(db) {
      sync = new LogSync({
        db,
        index,
        storage: entryStorage,
        peers: service,
        history: options.history,
        credit: service.credit,
        batchBytes: service.batchBytes,
        target: {
          decode: (hash, bytes) => openEntryBlock(hash, bytes, (sealed) => replication.decrypt(sealed)),
          canAppend: (entry, remember) => (remember ? access : options.access).canAppend(entry),
          verifySignature: (entry, remember) => Entry.verify(remember ? identity : checkOnly, entry),
        },
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      })
      service.add(sync)
      return sync
    },
    async close() {
      if (sync !== undefined) {
        service.remove(sync)
        await sync.close()
      }
      await entryStorage.close()
    },
  }
}

/** `access` answering again, without checking again, for an entry it admitted (by hash) once. */
function rememberingAccess(access: AccessControllerInstance): AccessControllerInstance {
  const admitted = new Set<string>()
  return {
    type: access.type,
    address: access.address,
    write: access.write,
    async canAppend(entry: LogEntry<EventsPayload>) {
      const hash = (entry as { hash?: unknown }).hash
      if (typeof hash === 'string' && admitted.delete(hash)) return true
      const verdict = await access.canAppend(entry)
      if (verdict && typeof hash === 'string') {
        if (admitted.size >= MAX_REMEMBERED_CHECKS) {
          const oldest = admitted.values().next().value
          if (oldest !== undefined) admitted.delete(oldest)
        }
        admitted.add(hash)
      }
      return verdict
    },
  }
}
