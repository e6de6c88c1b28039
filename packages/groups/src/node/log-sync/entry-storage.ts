import { IPFSBlockStorage, LRUStorage, type Storage } from '@orbitdb/core'
import type { LevelBlockstore } from 'blockstore-level'
import type { Helia } from 'helia'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { ENTRY_CACHE_SIZE, PIN_CONCURRENCY } from './constants.js'

/** Entry blocks of one log as OrbitDB reads and writes them, with the local side apart for the walks. */
export interface EntryStorage extends Storage {
  /** The block if this node holds it, never from the network. */
  getLocal(hash: string): Promise<Uint8Array | undefined>
  /** Stores blocks already checked against their CIDs; returns the CIDs that were not stored before. */
  putChecked(blocks: readonly { cid: CID; data: Uint8Array }[]): Promise<CID[]>
  /** Deletes blocks that were stored by {@link putChecked} and never added to the log. */
  deleteBlocks(cids: readonly CID[]): Promise<void>
}

/** The node's own block store, under Helia: one LevelDB read per block instead of Helia's two. */
export type LocalBlocks = Pick<LevelBlockstore, 'get' | 'put' | 'has' | 'delete'>

export interface EntryStorageOptions {
  readonly ipfs: Helia
  readonly blocks: LocalBlocks
  /** Entries on the log's shallow boundary: never fetched when OrbitDB reads past the newest page. */
  readonly isElided: (hash: string) => boolean
  /** Pins that failed (the node is stopping, the store is closed). */
  readonly onError?: (error: unknown) => void
}

/**
 * A log's entry storage when log sync runs: reads from the node's block store first, and from the network over
 * bitswap only for an entry no walk could bring (a peer without `/wesh/log-sync`), never for one past a shallow
 * boundary. OrbitDB pins every entry it adds, one pin after the other (several store operations each); here the
 * pins are written in the background, {@link PIN_CONCURRENCY} at a time, and `close()` waits for them.
 */
export async function createEntryStorage(options: EntryStorageOptions): Promise<EntryStorage> {
  const { ipfs, blocks, isElided } = options
  const cache = await LRUStorage({ size: ENTRY_CACHE_SIZE })
  const network = await IPFSBlockStorage({ ipfs, pin: false })
  const pins = new PinQueue(ipfs, options.onError)
  const local = async (hash: string) => {
    const cached = await cache.get(hash)
    if (cached) return cached
    const bytes = await readLocalBlock(blocks, CID.parse(hash, base58btc))
    if (bytes) await cache.put(hash, bytes)
    return bytes
  }
  return {
    getLocal: local,
    async get(hash) {
      const bytes = await local(hash)
      if (bytes || isElided(hash)) return bytes
      const fetched = await network.get(hash)
      if (fetched) await cache.put(hash, fetched)
      return fetched
    },
    async put(hash, data) {
      await cache.put(hash, data)
      await blocks.put(CID.parse(hash, base58btc), data)
      pins.add(hash)
    },
    persist(hash) {
      pins.add(hash)
      return Promise.resolve()
    },
    async putChecked(checked) {
      const fresh: CID[] = []
      await Promise.all(
        checked.map(async ({ cid, data }) => {
          if (await blocks.has(cid)) return
          await blocks.put(cid, data)
          fresh.push(cid)
        }),
      )
      return fresh
    },
    async deleteBlocks(cids) {
      for (const cid of cids) {
        await cache.del(cid.toString(base58btc))
        await blocks.delete(cid)
      }
    },
    del: (hash) => cache.del(hash),
    iterator: () => cache.iterator(),
    merge: () => Promise.resolve(),
    clear: () => cache.clear(),
    async close() {
      await network.close() // aborts fetches in flight, so that OrbitDB's queue drains at once
      await pins.drained()
    },
  }
}

/** The bytes of a block in the node's own store, or undefined; never asks the network. */
async function readLocalBlock(blocks: LocalBlocks, cid: CID): Promise<Uint8Array | undefined> {
  try {
    const chunks: Uint8Array[] = []
    for await (const chunk of blocks.get(cid)) chunks.push(chunk)
    if (chunks.length === 1) return chunks[0]
    const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  } catch (error) {
    if ((error as Error).name === 'NotFoundError') return undefined
    throw error
  }
}

/** Pins entries in the background, a few at a time, each once. */
class PinQueue {
  readonly #ipfs: Helia
  readonly #onError: ((error: unknown) => void) | undefined
  readonly #waiting: string[] = []
  readonly #queued = new Set<string>()
  #running = 0
  #idle: (() => void)[] = []

  constructor(ipfs: Helia, onError?: (error: unknown) => void) {
    this.#ipfs = ipfs
    this.#onError = onError
  }

  add(hash: string): void {
    if (this.#queued.has(hash)) return
    this.#queued.add(hash)
    this.#waiting.push(hash)
    this.#pump()
  }

  drained(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #pump(): void {
    while (this.#running < PIN_CONCURRENCY && this.#waiting.length > 0) {
      const hash = this.#waiting.shift() as string
      this.#running++
      void this.#pin(hash).finally(() => {
        this.#running--
        this.#queued.delete(hash)
        this.#pump()
        if (this.#running === 0 && this.#waiting.length === 0) for (const wake of this.#idle.splice(0)) wake()
      })
    }
  }

  async #pin(hash: string): Promise<void> {
    const cid = CID.parse(hash, base58btc)
    try {
      const adding = this.#ipfs.pins.add(cid)
      while ((await adding.next()).done !== true) {
        // one step per block pinned: an entry block is one block
      }
    } catch (error) {
      if ((error as Error).name !== 'AlreadyPinnedError') this.#onError?.(error)
    }
  }
}
