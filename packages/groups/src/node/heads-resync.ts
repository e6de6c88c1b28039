import type { PeerId } from '@libp2p/interface'
import type { EventsDatabase } from '@orbitdb/core'
import { unrefTimer } from './unref-timer.js'

/** How often a log looks for subscribed peers it has not exchanged heads with. */
export const HEADS_RESYNC_INTERVAL_MS = 5_000

/** The part of gossipsub this needs: who is subscribed to a topic, and its event target. */
export interface SubscribersView {
  getSubscribers(topic: string): PeerId[]
  dispatchEvent(event: Event): boolean
}

/**
 * OrbitDB exchanges heads with a peer only when it sees that peer subscribe to the log's topic. A subscription
 * seen before the log was opened (the two nodes met before), or an exchange that failed, is never tried again,
 * and two connected replicas stay apart until one of them writes: a newcomer that met a replication server
 * before it opened the group never got the history. Every interval this hands OrbitDB's sync the subscription
 * of each subscribed peer it has no exchange with (its `peers`), and the sync dials that peer as it would have.
 */
export function resyncHeads(database: EventsDatabase, pubsub: SubscribersView): { stop(): void } {
  const topic = database.address
  const timer = setInterval(() => {
    for (const peerId of pubsub.getSubscribers(topic)) {
      if (database.peers.has(peerId.toString())) continue
      pubsub.dispatchEvent(
        new CustomEvent('subscription-change', {
          detail: { peerId, subscriptions: [{ topic, subscribe: true }] },
        }),
      )
    }
  }, HEADS_RESYNC_INTERVAL_MS)
  unrefTimer(timer) // a log waiting for its next look does not keep the process alive
  return {
    stop() {
      clearInterval(timer)
    },
  }
}
