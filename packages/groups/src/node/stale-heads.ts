import type { EventsDatabase, EventsPayload, LogEntry, Storage } from '@orbitdb/core'
import { HEADS_KEY, readStoredHeads, storedHeadsBytes } from './stored-heads.js'

/** Entries one check of a log's heads reads at most; past that the check gives up until the next update. */
export const STALE_HEADS_WALK_LIMIT = 10_000

type Linked = Pick<LogEntry<EventsPayload>, 'hash' | 'next' | 'refs' | 'clock'>

/**
 * The heads among `heads` that another head has behind it. Walks back from every head through entries in the log
 * (`isInLog`), never past the oldest head's clock time: a Lamport time only grows along links, so nothing older
 * can lead to a head. Undefined when that walk would read more than `limit` entries.
 */
export async function headsBehindOthers(
  heads: readonly Linked[],
  isInLog: (hash: string) => Promise<boolean>,
  get: (hash: string) => Promise<Linked | undefined>,
  limit = STALE_HEADS_WALK_LIMIT,
): Promise<Set<string> | undefined> {
  const headHashes = new Set(heads.map((head) => head.hash))
  const oldest = Math.min(...heads.map((head) => head.clock.time))
  const behind = new Set<string>()
  const seen = new Set<string>()
  // A head is never behind itself, so whatever a walk from the heads' links meets is behind some other head.
  let generation = heads.flatMap((head) => [...head.next, ...head.refs])
  while (generation.length > 0) {
    const next: string[] = []
    for (const hash of generation) {
      if (seen.has(hash)) continue
      seen.add(hash)
      if (headHashes.has(hash)) behind.add(hash)
      if (seen.size > limit) return undefined
      if (!(await isInLog(hash))) continue // a partial history's gap: nothing behind it is read here
      const entry = await get(hash)
      if (entry !== undefined && entry.clock.time > oldest) next.push(...entry.next, ...entry.refs)
    }
    generation = next
  }
  return behind
}

/** Runs its task alone with the log's appends and joins (exclusive-head-updates.ts). */
export type Exclusive = <T>(run: () => Promise<T>) => Promise<T>

/**
 * Keeps the log's heads free of entries behind another head. OrbitDB drops the heads a join's walk meets, but the
 * walk stops one step past the first entries already in the log, and a join is three writes (the new head, the
 * index, the heads it replaced): an entry that reached the index ahead of its join's walk — a catch-up's run, a join
 * cut short by a stop — leaves the head behind it beside the newer one for good (RESILIENCE.md bugs 11 and 15).
 * Peers holding the same entries then never agree on the heads. So after each update that leaves more than one
 * head, and once at open, the heads are checked and any behind another is dropped, in the log's exclusive section.
 */
export function dropStaleHeads(
  database: EventsDatabase,
  headsStorage: Storage,
  exclusive: Exclusive,
  onError: (error: unknown) => void,
): { stop(): void; settled(): Promise<void> } {
  const { log } = database
  let stopped = false
  let again = false
  let running: Promise<void> | undefined
  const isStopped = () => stopped // read through a call: it changes while a check is awaited
  const isAgain = () => again

  const check = async (): Promise<void> => {
    // Most updates leave one head (every append does): counted from the stored list, no entry is read for them.
    const stored = await headsStorage.get(HEADS_KEY)
    if (stored === undefined || readStoredHeads(stored).length < 2) return
    const heads = await log.heads()
    const behind = await headsBehindOthers(
      heads,
      (hash) => log.has(hash),
      (hash) => log.get(hash),
    )
    if (behind === undefined || behind.size === 0 || isStopped()) return
    await exclusive(async () => {
      const now = await headsStorage.get(HEADS_KEY)
      if (now === undefined || isStopped()) return
      const current = readStoredHeads(now)
      const kept = current.filter((head) => !behind.has(head.hash))
      // Never all of them: a head is only dropped for another one that stays.
      if (kept.length < current.length && kept.length > 0) {
        await headsStorage.put(HEADS_KEY, storedHeadsBytes(kept))
      }
    })
  }

  const schedule = (): void => {
    if (stopped) return
    if (running !== undefined) {
      again = true // one more check once this one ends: the heads changed meanwhile
      return
    }
    running = (async () => {
      do {
        again = false
        try {
          await check()
        } catch (error) {
          if (!isStopped()) onError(error)
        }
      } while (isAgain() && !isStopped())
      running = undefined
    })()
  }

  database.events.on('update', schedule)
  schedule()
  return {
    stop() {
      stopped = true
      database.events.off('update', schedule)
    },
    async settled() {
      await running
    },
  }
}
