import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import type { Exclusive } from './stale-heads.js'

type Log = EventsDatabase['log']

/**
 * OrbitDB's log appends in one queue and joins in another; its database runs both through one queue of its own,
 * but a head joined again later (join-retry.ts) does not pass through it. An append reads the heads, signs, then
 * makes its entry the only head: a join that added a head in between was dropped from the heads while its
 * entries stayed in the index, so the replica never took that head again and stayed apart from its peers
 * (RESILIENCE.md bug 8). This makes every append and every join of the log run alone, whoever calls them.
 * OrbitDB's join fetches the entries it walks, each up to the fetch timeout: a join first fetches that path here,
 * holding nothing, so that what runs alone reads local storage only and an append never waits on the network.
 * Returns the exclusive section itself, for other writers of the heads.
 */
export function exclusiveHeadUpdates(log: Log): Exclusive {
  let tail: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = tail.then(run, run)
    tail = result.catch(() => undefined) // a failed update does not stop the ones behind it
    return result
  }
  const append = log.append.bind(log)
  const join = log.joinEntry.bind(log)
  const has = log.has.bind(log)
  const get = log.get.bind(log)
  log.append = (payload, options) => exclusive(() => append(payload, options))
  log.joinEntry = async (entry) => {
    await fetchJoinPath(has, get, entry)
    return exclusive(() => join(entry))
  }
  return exclusive
}

/**
 * Fetches the entries between `entry` and what the log already holds, one generation at a time as OrbitDB's join
 * walks them, so that the join that follows reads local storage only. Verification is the join's.
 */
async function fetchJoinPath(
  has: Log['has'],
  get: Log['get'],
  entry: LogEntry<EventsPayload>,
): Promise<void> {
  if (await has(entry.hash)) return
  const seen = new Set<string>()
  let generation = [...entry.next, ...entry.refs]
  while (generation.length > 0) {
    const fresh = generation.filter((hash) => !seen.has(hash))
    for (const hash of fresh) seen.add(hash)
    const parents = await Promise.all(fresh.map(async (hash) => ((await has(hash)) ? undefined : get(hash))))
    generation = parents.flatMap((parent) => (parent === undefined ? [] : [...parent.next, ...parent.refs]))
  }
}
