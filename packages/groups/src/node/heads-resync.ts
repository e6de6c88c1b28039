import type { PeerId } from '@libp2p/interface'
import type { EventsDatabase } from '@orbitdb/core'
import { unrefTimer } from './unref-timer.js'

/** How often a log looks for subscribed peers it has not exchanged heads with, or that may lack its new heads. */
export const HEADS_RESYNC_INTERVAL_MS = 5_000

/** The part of gossipsub this needs: who is subscribed to a topic, and its event target. */
export interface SubscribersView {
  getSubscribers(topic: string): PeerId[]
  dispatchEvent(event: Event): boolean
}

/**
 * OrbitDB exchanges heads with a peer only when it sees that peer subscribe to the log's topic, and after that
 * sends new heads only as gossip. A subscription seen before the log was opened (the two nodes met before), or
 * an exchange that failed, is never tried again, and a gossip message that does not arrive (sent before the
 * peer's stream was up, on a link that just changed) is never sent again: two connected replicas stay apart
 * until one of them writes. Every interval this hands OrbitDB's sync the subscription of each subscribed peer it
 * has no exchange with (its `peers`), and, when the log's heads changed since the last look, of every subscribed
 * peer, so that the sync dials them as it would have and the exchange carries what gossip may have lost.
 */
export function resyncHeads(database: EventsDatabase, pubsub: SubscribersView): { stop(): void } {
  const topic = database.address
  let lastHeads = ''
  let looking = false
  const look = async () => {
    const heads = (await database.log.heads())
      .map((entry) => entry.hash)
      .sort()
      .join()
    // The first look counts as a change: gossip sent between the exchange at subscription time and now may be lost.
    const changed = heads !== lastHeads
    lastHeads = heads
    for (const peerId of pubsub.getSubscribers(topic)) {
      const peer = peerId.toString()
      if (database.peers.has(peer)) {
        if (!changed) continue
        database.peers.delete(peer) // OrbitDB's sync skips a subscription from a peer it counts as synced
      }
      pubsub.dispatchEvent(
        new CustomEvent('subscription-change', {
          detail: { peerId, subscriptions: [{ topic, subscribe: true }] },
        }),
      )
    }
  }
  const timer = setInterval(() => {
    if (looking) return
    looking = true
    look()
      .catch(() => undefined) // the log closed under us: the next look, if any, tries again
      .finally(() => (looking = false))
  }, HEADS_RESYNC_INTERVAL_MS)
  unrefTimer(timer) // a log waiting for its next look does not keep the process alive
  return {
    stop() {
      clearInterval(timer)
    },
  }
}
