import type { EventsDatabase } from '@orbitdb/core'

/**
 * OrbitDB's log appends in one queue and joins in another; its database runs both through one queue of its own,
 * but a head joined again later (join-retry.ts) does not pass through it. An append reads the heads, signs, then
 * makes its entry the only head: a join that added a head in between was dropped from the heads while its
 * entries stayed in the index, so the replica never took that head again and stayed apart from its peers
 * (RESILIENCE.md bug 8). This makes every append and every join of the log run alone, whoever calls them.
 */
export function exclusiveHeadUpdates(log: EventsDatabase['log']): void {
  let tail: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = tail.then(run, run)
    tail = result.catch(() => undefined) // a failed update does not stop the ones behind it
    return result
  }
  const append = log.append.bind(log)
  const join = log.joinEntry.bind(log)
  log.append = (payload, options) => exclusive(() => append(payload, options))
  log.joinEntry = (entry) => exclusive(() => join(entry))
}
