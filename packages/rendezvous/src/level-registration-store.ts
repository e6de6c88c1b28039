// Node only (a native LevelDB binding): exported from `@wesh/rendezvous/level`, never from the package root.
import { fromBase64, randomBytes, toBase64, WeshError } from '@wesh/crypto'
import { ClassicLevel } from 'classic-level'
import { RendezvousErrorCode } from './errors.js'
import {
  MemoryRegistrationStore,
  type NewRegistration,
  type RegistrationStore,
  type StoredRegistration,
} from './registration-store.js'

/** Version of the persisted registration records. */
export const LEVEL_STORE_VERSION = 1

const RECORD_PREFIX = 'r:'
const EPOCH_KEY = 'm:epoch'
const SEQ_KEY = 'm:seq'

interface RecordV1 {
  v: 1
  ns: string
  peer: string
  spr: string
  expiresAt: number
  seq: number
}

const recordKey = (namespace: string, peerId: string): string =>
  RECORD_PREFIX + JSON.stringify([namespace, peerId])

function decodeRecord(key: string, value: string): StoredRegistration {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (cause) {
    throw corrupt(key, cause)
  }
  const record = parsed as Partial<RecordV1> | null
  if (
    record === null ||
    typeof record !== 'object' ||
    record.v !== LEVEL_STORE_VERSION ||
    typeof record.ns !== 'string' ||
    typeof record.peer !== 'string' ||
    typeof record.spr !== 'string' ||
    typeof record.expiresAt !== 'number' ||
    typeof record.seq !== 'number' ||
    !Number.isSafeInteger(record.seq)
  ) {
    throw corrupt(key)
  }
  return {
    namespace: record.ns,
    peerId: record.peer,
    signedPeerRecord: fromBase64(record.spr),
    expiresAt: record.expiresAt,
    seq: record.seq,
  }
}

function corrupt(key: string, cause?: unknown): WeshError {
  return new WeshError(RendezvousErrorCode.RENDEZVOUS_STORE_CORRUPT, 'a stored registration is unreadable', {
    data: { key },
    cause,
  })
}

/**
 * Registrations persisted in LevelDB (classic-level), so that a restarted server keeps them until their TTL.
 * Every live registration is also indexed in memory (loaded at open, written through on change): reads never
 * touch the disk. Unreadable records are skipped and counted in `skipped`.
 */
export class LevelRegistrationStore implements RegistrationStore {
  readonly epoch: Uint8Array
  /** Records skipped at open because they were unreadable. */
  readonly skipped: number
  readonly #db: ClassicLevel
  readonly #index: MemoryRegistrationStore

  private constructor(db: ClassicLevel, index: MemoryRegistrationStore, skipped: number) {
    this.#db = db
    this.#index = index
    this.epoch = index.epoch
    this.skipped = skipped
  }

  /** Opens (or creates) the store in directory `path`, dropping registrations already expired at `now`. */
  static async open(path: string, now = Date.now()): Promise<LevelRegistrationStore> {
    const db = new ClassicLevel(path, { valueEncoding: 'utf8' })
    await db.open()
    try {
      let epochText = await db.get(EPOCH_KEY)
      if (epochText === undefined) {
        epochText = toBase64(randomBytes(4))
        await db.put(EPOCH_KEY, epochText)
      }
      const seqText = await db.get(SEQ_KEY)
      const index = new MemoryRegistrationStore({
        epoch: fromBase64(epochText),
        seq: seqText === undefined ? 0 : Number(seqText),
      })
      let skipped = 0
      const expired: string[] = []
      const live: StoredRegistration[] = []
      for await (const [key, value] of db.iterator({ gte: RECORD_PREFIX, lt: 'r;' })) {
        let registration: StoredRegistration
        try {
          registration = decodeRecord(key, value)
        } catch {
          skipped++
          continue
        }
        if (registration.expiresAt <= now) expired.push(key)
        else live.push(registration)
      }
      // The index iterates in insertion order and pages by sequence number: insert by ascending seq.
      live.sort((a, b) => a.seq - b.seq)
      for (const registration of live) index.insert(registration)
      if (expired.length > 0) await db.batch(expired.map((key) => ({ type: 'del' as const, key })))
      return new LevelRegistrationStore(db, index, skipped)
    } catch (error) {
      await db.close()
      throw error
    }
  }

  async put(registration: NewRegistration): Promise<StoredRegistration> {
    const stored = await this.#index.put(registration)
    const record: RecordV1 = {
      v: LEVEL_STORE_VERSION,
      ns: stored.namespace,
      peer: stored.peerId,
      spr: toBase64(stored.signedPeerRecord),
      expiresAt: stored.expiresAt,
      seq: stored.seq,
    }
    await this.#db.batch([
      { type: 'put', key: recordKey(stored.namespace, stored.peerId), value: JSON.stringify(record) },
      { type: 'put', key: SEQ_KEY, value: String(this.#index.seq) },
    ])
    return stored
  }

  async delete(namespace: string, peerId: string): Promise<void> {
    if (this.#index.remove(namespace, peerId) !== undefined) await this.#db.del(recordKey(namespace, peerId))
  }

  has(namespace: string, peerId: string, now: number): Promise<boolean> {
    return this.#index.has(namespace, peerId, now)
  }

  countByPeer(peerId: string, now: number): Promise<number> {
    return this.#index.countByPeer(peerId, now)
  }

  list(namespace: string, after: number, limit: number, now: number): Promise<StoredRegistration[]> {
    return this.#index.list(namespace, after, limit, now)
  }

  size(now: number): Promise<number> {
    return this.#index.size(now)
  }

  async prune(now: number): Promise<number> {
    const expired = this.#index.expired(now)
    for (const registration of expired) this.#index.remove(registration.namespace, registration.peerId)
    if (expired.length > 0) {
      await this.#db.batch(
        expired.map((registration) => ({
          type: 'del' as const,
          key: recordKey(registration.namespace, registration.peerId),
        })),
      )
    }
    return expired.length
  }

  async close(): Promise<void> {
    if (this.#db.status === 'open') await this.#db.close()
  }
}
