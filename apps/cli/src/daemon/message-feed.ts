import { EventEmitter, on } from 'node:events'
import { toHex } from '@wesh/crypto'
import type { GroupMessage, GroupSession } from '@wesh/groups/node'
import type { Log } from '../log.js'

/**
 * Every message of the groups open in the daemon, as one stream to follow: what `GroupSession.subscribe` yields
 * (messages read from peers) plus what this daemon sent, which `subscribe` leaves out because the session keeps
 * its own plaintext at send time instead of reading it back.
 */
export class MessageFeed {
  readonly #events = new EventEmitter<{ message: [GroupSession, GroupMessage] }>()
  readonly #watched = new WeakSet<GroupSession>()
  readonly #stopped = new AbortController()

  readonly #log: Log

  constructor(log: Log) {
    this.#log = log
    this.#events.setMaxListeners(0) // one listener per follower
  }

  /** Sends `plaintext` in the group and tells followers; resolves with the message ID. */
  async send(session: GroupSession, plaintext: Uint8Array): Promise<string> {
    const id = await session.send(plaintext)
    // Ours is among the newest in the local order; `send` resolves with its ID only.
    const sent = (await session.messages({ limit: 64 })).find((message) => message.id === id)
    if (sent) this.#events.emit('message', session, sent)
    return id
  }

  /**
   * The group's last `limit` messages oldest first, then each new one as it comes, until `signal` aborts or the
   * daemon stops. Listening starts before history is read, so nothing falls between the two.
   */
  async *follow(
    session: GroupSession,
    options: { limit: number; follow: boolean; signal: AbortSignal },
  ): AsyncIterable<GroupMessage> {
    const signal = AbortSignal.any([options.signal, this.#stopped.signal])
    this.#watch(session)
    const live = options.follow ? on(this.#events, 'message', { signal }) : undefined
    const seen = new Set<string>()
    const history = options.limit > 0 ? await session.messages({ limit: options.limit }) : []
    for (const message of history.reverse()) {
      seen.add(message.id)
      yield message
    }
    if (live === undefined) return
    const group = toHex(session.group.publicKey)
    try {
      for await (const [from, message] of live as AsyncIterable<[GroupSession, GroupMessage]>) {
        if (toHex(from.group.publicKey) !== group || seen.has(message.id)) continue
        seen.add(message.id)
        yield message
      }
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }

  /** Ends every follow stream. */
  stop(): void {
    this.#stopped.abort()
  }

  // One reader per session for the daemon's lifetime; it ends when the session closes.
  #watch(session: GroupSession): void {
    if (this.#watched.has(session)) return
    this.#watched.add(session)
    void (async () => {
      for await (const message of session.subscribe({ signal: this.#stopped.signal })) {
        this.#events.emit('message', session, message)
      }
    })().catch((error: unknown) => {
      this.#log('error', 'reading a group failed', { error: String(error) })
    })
  }
}
