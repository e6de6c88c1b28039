import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { unrefTimer } from './unref-timer.js'

/** Delay before the first new try of a failed head join; it doubles on each failure up to the maximum. */
export const JOIN_RETRY_FIRST_DELAY_MS = 500
export const JOIN_RETRY_MAX_DELAY_MS = 30_000
/** Tries per head before it is given up (about three minutes of backoff); a peer joining the log resets it. */
export const JOIN_RETRY_MAX_ATTEMPTS = 10
/** Failed heads kept per log, so that a peer sending endless unjoinable heads costs bounded memory. */
export const JOIN_RETRY_MAX_PENDING = 256

interface PendingJoin {
  readonly entry: LogEntry<EventsPayload>
  attempts: number
  running: boolean
  timer?: ReturnType<typeof setTimeout> | undefined
}

export interface JoinRetries {
  /** Called before the log closes: nothing is tried again after that. */
  stop(): void
  /** Resolves once the tries under way have ended (their fetches are aborted by closing the block storage). */
  settled(): Promise<void>
}

/**
 * OrbitDB joins each head a peer sends and, when that fails (a block the peer announced could not be fetched,
 * a fetch cut short), prints the error and drops the head: it is asked for again only at the next head
 * exchange, and between peers that have both stopped writing there is none, so the entries never arrive
 * (RESILIENCE.md bug 3). This keeps each failed head, reports the failure, and joins it again with backoff
 * and whenever a peer joins the log. A join writes nothing until the whole path is fetched and verified, so trying
 * again is safe.
 * OrbitDB joins in its database's queue, where our appends wait too: a head whose history is not all in the log
 * would hold them while that history is fetched, each block up to the fetch timeout. Such a head is joined here
 * instead, as a new try is, and OrbitDB's queue goes on at once.
 */
export function retryFailedJoins(database: EventsDatabase, onError: (error: unknown) => void): JoinRetries {
  const log = database.log
  const join = log.joinEntry.bind(log)
  const pending = new Map<string, PendingJoin>()
  const running = new Set<Promise<void>>()
  let stopped = false
  const isStopped = () => stopped // read through a call: it changes while a join is awaited

  const run = async (item: PendingJoin): Promise<void> => {
    try {
      const joined = await join(item.entry)
      pending.delete(item.entry.hash)
      // OrbitDB emits 'update' only for joins of its own; ours must reach the same listeners.
      if (joined && !isStopped()) database.events.emit('update', item.entry)
    } catch (error) {
      if (isStopped()) return // a join cut short by `close()` is no failure
      onError(error)
      if (pending.get(item.entry.hash) === item) schedule(item)
    } finally {
      item.running = false
    }
  }

  const attempt = (item: PendingJoin): void => {
    item.timer = undefined
    if (isStopped() || item.running || pending.get(item.entry.hash) !== item) return
    item.running = true
    item.attempts += 1
    const task = run(item)
    running.add(task)
    void task.finally(() => running.delete(task))
  }

  const schedule = (item: PendingJoin): void => {
    if (item.attempts >= JOIN_RETRY_MAX_ATTEMPTS) {
      pending.delete(item.entry.hash)
      return
    }
    const delay = Math.min(JOIN_RETRY_FIRST_DELAY_MS * 2 ** (item.attempts - 1), JOIN_RETRY_MAX_DELAY_MS)
    item.timer = setTimeout(() => {
      attempt(item)
    }, delay)
    unrefTimer(item.timer) // a head waiting for its next try does not keep the process alive
  }

  /** Keeps `entry` for a try now (`tried` false) or, after a failed one, for the next. */
  const keep = (entry: LogEntry<EventsPayload>, tried: boolean): void => {
    if (pending.has(entry.hash)) return // already waiting for its next try
    if (pending.size >= JOIN_RETRY_MAX_PENDING) {
      const [oldestHash, oldest] = pending.entries().next().value as [string, PendingJoin]
      clearTimeout(oldest.timer)
      pending.delete(oldestHash)
    }
    const item: PendingJoin = { entry, attempts: tried ? 1 : 0, running: false }
    pending.set(entry.hash, item)
    if (tried) schedule(item)
    else attempt(item)
  }

  // OrbitDB's own first try, in its database's queue as stock when the head's history is here.
  log.joinEntry = async (entry) => {
    if (!(await historyHeld(log, entry))) {
      if (!isStopped()) keep(entry, false)
      return false // joined here, and announced as a new try's join is
    }
    try {
      return await join(entry)
    } catch (error) {
      // A join cut short by `close()` is no failure: the head comes again with the next head exchange.
      if (isStopped()) return false
      onError(error)
      keep(entry, true)
      return false // handled here: OrbitDB would only print it
    }
  }

  // A peer that joins may hold the blocks the earlier one could not deliver.
  database.events.on('join', () => {
    for (const item of pending.values()) {
      if (item.running) continue
      clearTimeout(item.timer)
      item.attempts = 0
      attempt(item)
    }
  })
  return {
    stop() {
      stopped = true
      for (const item of pending.values()) clearTimeout(item.timer)
      pending.clear()
    },
    async settled() {
      await Promise.allSettled([...running])
    },
  }
}

/** Whether the log holds `entry` or every entry it links to: then its join reads nothing but `entry` itself. */
async function historyHeld(log: EventsDatabase['log'], entry: LogEntry<EventsPayload>): Promise<boolean> {
  if (await log.has(entry.hash)) return true
  for (const parent of [...entry.next, ...entry.refs]) if (!(await log.has(parent))) return false
  return true
}
