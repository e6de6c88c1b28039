import * as dagCbor from '@ipld/dag-cbor'
import {
  ComposedStorage,
  Events,
  IPFSBlockStorage,
  LRUStorage,
  LevelStorage,
  type Storage,
  type EventsDatabase,
  type IdentitiesInstance,
  type LogEntry,
  type EventsPayload,
} from '@orbitdb/core'
import { CryptoErrorCode, WeshError } from '@wesh/crypto'
import type { Helia } from 'helia'
import * as Block from 'multiformats/block'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { createLogAccessController } from './log-access-controller.js'
import { delegate } from './delegate.js'
import { type SubscribersView, resyncHeads } from './heads-resync.js'
import { exclusiveHeadUpdates } from './exclusive-head-updates.js'
import { retryFailedJoins } from './join-retry.js'
import { dropStaleHeads } from './stale-heads.js'
import type { LogSync } from './log-sync.js'
import { linkKeyEncryption } from './replication-encryption.js'
import { reportingStorage } from './reporting-storage.js'
import { storagePath } from './storage-path.js'
import { type EntrySignatureVerifier, PendingEntries } from './pending-entries.js'
import { HistoryFrontier } from './history-frontier.js'
import { FreshEntries } from './fresh-entries.js'
import { inParallel } from './in-parallel.js'
import { type LocalBlocks, localFirstBlocks, readLocal } from './local-first-blocks.js'

export interface GroupLogOptions {
  readonly ipfs: Helia
  readonly identities: IdentitiesInstance
  /** OrbitDB stores each log's heads and index under this directory. */
  readonly directory: string
  /** `<hex group ID>_wesh_group_metadata` or `<hex group ID>_wesh_group_messages` (PROTOCOL.md §5). */
  readonly name: string
  readonly groupId: Uint8Array
  readonly signPublicKey: Uint8Array
  readonly linkKey: Uint8Array
  /**
   * The writer identity's id in the OrbitDB key store: random per device per group, so that replicas learn
   * nothing about who wrote. The caller persists it to write under the same identity after a restart.
   */
  readonly identityId: string
  readonly onRejected?: (entry: LogEntry<EventsPayload>) => void
  /**
   * Replication errors: a peer that sends undecryptable or malformed blocks, a stream reset, a head whose
   * join failed (it is tried again: see join-retry.ts). The log goes on working; without a listener OrbitDB would
   * throw them as unhandled.
   */
  readonly onSyncError?: (error: unknown) => void
  /**
   * A write to the log's storage failed (disk full, I/O error): the entry, heads or index write, whether we
   * appended or a peer's entry was being joined. The log stays as it was before that write.
   */
  readonly onStorageError?: (error: unknown) => void
  /** The node's log sync: the log is served to peers and caught up from them in checked batches (README "Log sync"). */
  readonly logSync?: LogSync
  /**
   * Checks OrbitDB entry signatures (secp256k1) faster than OrbitDB's own JavaScript, accepting the same signatures:
   * a Node node passes the native one. Default: the identity's own check.
   */
  readonly verifyEntrySignature?: EntrySignatureVerifier
  /**
   * Partial history (README "Partial history"): a catch-up brings the head and at most this many entries in all,
   * newest first, before OrbitDB joins the head; older ones stay on peers until `LogSync.loadOlder` asks for them
   * (by pages of this size unless told). Needs `logSync`. Default: the whole history.
   */
  readonly historyPage?: number
  /** The node's own block store (the one given to Helia): entry blocks are read from it first (local-first-blocks.ts). */
  readonly localBlocks?: LocalBlocks
}

/** Index writes of a catch-up under way at once: LevelDB takes them together. */
const INDEX_WRITES_AT_ONCE = 64

/** Entries (and heads, index keys) kept in memory per log, as OrbitDB's default. */
const ENTRY_CACHE_SIZE = 1_000

/**
 * How long one fetch of an entry block may wait (OrbitDB's default is 30 s). A peer passes heads on (gossip) before
 * it holds their blocks; in the simulation, fetches that found no holder waited out the whole 30 s while the
 * block had reached connected peers long before. Kept short, the next try (join-retry.ts) asks again sooner.
 */
export const ENTRY_FETCH_TIMEOUT_MS = 10_000

/**
 * Opens one log of a group as an OrbitDB `events` database written under the device's own identity for
 * this group, admitted by the Wesh access controller and replicated under the link key. The address is a
 * function of the name and the access controller's parameters only, so every member derives the same one.
 */
export async function openGroupLog(options: GroupLogOptions): Promise<EventsDatabase> {
  const { ipfs, identities, name } = options
  const checks = await createLogAccessController(options)
  // What log sync has checked and stored already, so that OrbitDB's join of the same entries is cheap.
  const pending = new PendingEntries()
  const access = delegate(checks, {
    canAppend: (entry: LogEntry<EventsPayload>) =>
      pending.takeAdmitted((entry as { hash?: string }).hash)
        ? Promise.resolve(true)
        : checks.canAppend(entry),
  })
  const manifest = { name, type: 'events', accessController: access.address }
  const { cid, bytes } = await Block.encode({ value: manifest, codec: dagCbor, hasher: sha256 })
  const hash = cid.toString(base58btc)
  const manifests = await IPFSBlockStorage({ ipfs, pin: true })
  await manifests.put(hash, bytes)
  const writer = await identities.createIdentity({ id: options.identityId })
  const verifySignature: EntrySignatureVerifier =
    options.verifyEntrySignature ??
    ((signature, publicKey, data) => writer.verify(signature, publicKey, data))
  const identity = delegate(writer, { verify: verifySignature })
  // Entry blocks as OrbitDB reads them by default, but with the network side in our hands: `close()` waits for
  // the replication queue, and a block that a departed peer announced would hold it for the fetch timeout. Not
  // pinned: pins only keep blocks from Helia's garbage collector, which no Wesh node runs, and a pin cost 1.3 ms a
  // block against 0.18 ms for the write itself (most of a catch-up's time).
  const blocks = await IPFSBlockStorage({ ipfs, pin: false, timeout: ENTRY_FETCH_TIMEOUT_MS })
  const { localBlocks } = options
  const entryBlocks = localBlocks === undefined ? blocks : localFirstBlocks(blocks, localBlocks)
  const address = `/orbitdb/${hash}`
  const directory = storagePath(options.directory, hash)
  const { onStorageError } = options
  const cached = async (storage: Storage): Promise<Storage> => {
    const composed = await ComposedStorage(await LRUStorage({ size: ENTRY_CACHE_SIZE }), storage)
    return onStorageError === undefined ? composed : reportingStorage(composed, onStorageError)
  }
  // Heads and index where OrbitDB keeps them by default (`<directory>/<address>/log/…`): existing logs open as before.
  const level = (part: string) => LevelStorage({ path: storagePath(directory, address, 'log', part) })
  const encryption = linkKeyEncryption(options.linkKey)
  const { historyPage } = options
  checkHistoryPage(historyPage, options.logSync !== undefined)
  const frontier =
    historyPage === undefined ? undefined : await HistoryFrontier.open(await level('_frontier'))
  const entryStorage = await cached(entryBlocks)
  const logEntries = frontier?.entryStorage(entryStorage) ?? entryStorage
  const indexStorage = pending.indexStorage(await cached(await level('_index')))
  const headsStorage = pending.headsStorage(await cached(await level('_heads')))
  const log = await Events()({
    ipfs,
    identity,
    address,
    name,
    access,
    directory,
    syncAutomatically: false, // started below, once our listeners are on
    encryption: { replication: encryption },
    entryStorage: pending.entryStorage(logEntries),
    headsStorage,
    indexStorage: frontier?.indexStorage(indexStorage) ?? indexStorage,
  })
  // Before the head exchange starts: an exchange with a peer already connected can fail at once, and an 'error'
  // event without a listener would throw and take the process down.
  const onSyncError = (error: unknown) => options.onSyncError?.(error)
  log.events.on('error', onSyncError)
  // Before log sync and the retries take hold of `joinEntry`: their joins must wait for appends too.
  const exclusive = exclusiveHeadUpdates(log.log)
  const fresh = new FreshEntries()
  const readEntry = log.log.get.bind(log.log)
  log.log.get = async (entryHash) => fresh.take(entryHash) ?? readEntry(entryHash)
  /** An entry's block as this node stores it, or undefined: never fetched from the network. */
  const localBlock = async (entryHash: string): Promise<Uint8Array | undefined> => {
    const cid = CID.parse(entryHash, base58btc)
    if (localBlocks !== undefined) return readLocal(localBlocks, cid)
    return (await ipfs.blockstore.has(cid)) ? entryStorage.get(entryHash) : undefined
  }
  const { pubsub } = (ipfs as unknown as { libp2p: { services: { pubsub: SubscribersView } } }).libp2p
    .services
  const synced = options.logSync?.attach({
    database: log,
    address,
    decrypt: (sealed) => encryption.decrypt(sealed),
    access: checks,
    verifySignature,
    pending,
    isIndexed: (entryHash) => log.log.has(entryHash),
    heads: async () => (await log.log.heads()).map((head) => head.hash),
    storedBlock: localBlock,
    store: async ({ hash: entryHash, bytes, entry }) => {
      await entryStorage.put(entryHash, bytes)
      pending.stored(entryHash, bytes)
      fresh.keep(entry)
    },
    has: (entryHash) => log.log.has(entryHash),
    get: readEntry, // serving a peer does not use up what is kept for this node's own reader
    block: localBlock, // what a peer is served is what is here: never a fetch from the network
    ...(frontier === undefined ? {} : { history: { frontier, page: historyPage as number } }),
    // What OrbitDB's join writes for each entry (its oplog store's addVerified); the blocks are stored already.
    // Alone with joins: a join of an entry of the run (a head gossiped meanwhile) that saw its parents indexed but
    // not itself yet made it a head behind the run's own head, which that head's join then did not drop.
    index: (entryHashes) =>
      exclusive(() =>
        inParallel(entryHashes, INDEX_WRITES_AT_ONCE, (entryHash) =>
          indexStorage.put(entryHash, true as unknown as Uint8Array),
        ),
      ).then(() => undefined),
    peers: () => [...log.peers, ...pubsub.getSubscribers(address).map(String)],
    onError: onSyncError,
    onCatchUpEnd: () => {
      pending.clear()
    },
  })
  const retries = retryFailedJoins(log, onSyncError)
  const staleHeads = dropStaleHeads(log, headsStorage, exclusive, onSyncError)
  await log.sync.start()
  const resync = resyncHeads(log, pubsub)
  const close = log.close.bind(log)
  log.close = async () => {
    fresh.clear()
    synced?.detach() // aborts a catch-up under way, which OrbitDB's close would wait for
    resync.stop()
    retries.stop()
    staleHeads.stop()
    await blocks.close() // aborts fetches still in flight, so that the queue and the retries end at once
    await retries.settled()
    await staleHeads.settled()
    await close()
    await frontier?.close()
  }
  return log
}

function checkHistoryPage(page: number | undefined, withLogSync: boolean): void {
  if (page === undefined) return
  if (!Number.isSafeInteger(page) || page < 1 || !withLogSync) {
    throw new WeshError(
      CryptoErrorCode.INVALID_ARGUMENT,
      'historyPage must be a positive integer, on a node with log sync',
      { data: { argument: 'historyPage' } },
    )
  }
}
