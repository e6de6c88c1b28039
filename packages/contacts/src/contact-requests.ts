import type { Connection, Stream } from '@libp2p/interface'
import { assertInteger, isWeshError, toHex, WeshError } from '@wesh/crypto'
import {
  type ContactCard,
  type ContactState,
  ContactStatus,
  GroupsErrorCode,
  parseContactCardLink,
} from '@wesh/groups'
import type { GroupSession, WeshAccount } from '@wesh/groups/session'
import {
  accountContactTopic,
  type Clock,
  CombinedDiscovery,
  type Discovery,
  lookupTopic,
  type Period,
  PointAnnouncer,
  systemClock,
} from '@wesh/rendezvous'
import { TypedEventEmitter } from 'main-event'
import {
  CONTACT_REQUEST_PROTOCOL,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_RETRY_INITIAL_MS,
  DEFAULT_RETRY_MAX_MS,
  MAX_CONCURRENT_HANDSHAKES,
} from './constants.js'
import { answerContactRequestOn, sendContactRequestOn } from './contact-request-protocol.js'
import { ContactsErrorCode, contactsError } from './errors.js'
import { retryDelay } from './retry-delay.js'

export interface ContactRequestsInit {
  readonly account: WeshAccount
  /**
   * Discovery systems (PROTOCOL.md §2): while the account takes requests its contact point is announced on each,
   * and a request looks a card's point up on all of them at once. Default: every system the Wesh node runs
   * (local records, the DHT, and its rendezvous servers if it has some).
   */
  readonly discovery?: readonly Discovery[]
  /** Rotation period of contact points, in seconds, or `'static'` (the reference's). Default one day. */
  readonly period?: Period
  /** Requested registration lifetime, in seconds. Default the rendezvous package's (2 h). */
  readonly ttl?: number
  /** Wait before retrying a failed registration, in ms. */
  readonly announceRetryMs?: number
  /** First wait before retrying an undelivered request. Default {@link DEFAULT_RETRY_INITIAL_MS}. */
  readonly retryInitialMs?: number
  /** Longest wait between delivery attempts. Default {@link DEFAULT_RETRY_MAX_MS}. */
  readonly retryMaxMs?: number
  /** Time allowed for one handshake. Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}. */
  readonly handshakeTimeoutMs?: number
  readonly clock?: Clock
}

export interface ContactRequestsEvents {
  /** A request reached us and was recorded (event 108); `recorded` is false when it was already known. */
  'request:received': CustomEvent<{ card: ContactCard; recorded: boolean }>
  /** An incoming handshake ended without a request being recorded (refused, malformed, timed out…). */
  'request:refused': CustomEvent<{ error: WeshError }>
  /** Our request reached the responder and was recorded as sent (event 107). */
  'request:sent': CustomEvent<{ accountId: Uint8Array }>
  /** A delivery attempt failed; the next one is in `delayMs`. */
  'request:retry': CustomEvent<{ accountId: Uint8Array; attempt: number; delayMs: number; error: WeshError }>
  /** The contact point is now announced (`points`) on these systems, or on none (`points` empty). */
  'announce:change': CustomEvent<{ points: Uint8Array[] }>
  /** A system registered the contact point. */
  'announce:register': CustomEvent<{ system: string; point: Uint8Array; ttl: number }>
  /** A system failed to register the contact point; the announcer retries. */
  'announce:error': CustomEvent<{ system: string; error: unknown }>
}

/**
 * The network side of contact requests (PROTOCOL.md §2, §6.1, §6.2) for one account on one device. It drives
 * the account's own methods, so every step is an account-group event that all devices of the account see:
 *
 * - while the account state says requests are enabled, the contact point (topic = the account ID in padded
 *   standard base64, seed = the current public rendezvous seed) is announced on every discovery system and
 *   rotates with the period; disabling or renewing the seed withdraws it at once;
 * - incoming `/wesh/contact_req/1.0.0` handshakes are answered and recorded with `receiveContactRequest` (a
 *   blocked account is refused right after it authenticates, before we sign anything, leaving no trace);
 * - every request in status `outgoing-enqueued` — made here, on another device, or before a restart — is
 *   delivered: look the card's point up on all systems at once, dial, hand-shake, `markContactRequestSent`;
 *   failures are retried with exponential back-off until sent.
 */
export class ContactRequests extends TypedEventEmitter<ContactRequestsEvents> {
  readonly account: WeshAccount
  readonly #systems: readonly Discovery[]
  readonly #discovery: CombinedDiscovery
  readonly #init: ContactRequestsInit
  readonly #clock: Clock
  readonly #controller = new AbortController()
  readonly #deliveries = new Map<string, { controller: AbortController; done: Promise<void> }>()
  #announcers: PointAnnouncer[] = []
  #announced = ''
  #inflight = 0
  #syncing: Promise<void> = Promise.resolve()
  #following: Promise<void> = Promise.resolve()
  #stopped = false

  private constructor(init: ContactRequestsInit) {
    super()
    this.account = init.account
    this.#init = init
    const { services } = init.account.node.libp2p
    this.#systems = [
      ...(init.discovery ?? [
        services.localRecords,
        services.dhtDiscovery,
        ...(services.rendezvousServers ? [services.rendezvousServers] : []),
      ]),
    ]
    this.#discovery = new CombinedDiscovery(this.#systems)
    this.#clock = init.clock ?? systemClock
  }

  /** Starts answering requests, announcing while enabled, and delivering enqueued requests. */
  static async start(init: ContactRequestsInit): Promise<ContactRequests> {
    for (const [name, value] of [
      ['retryInitialMs', init.retryInitialMs],
      ['retryMaxMs', init.retryMaxMs],
      ['handshakeTimeoutMs', init.handshakeTimeoutMs],
    ] as const) {
      if (value !== undefined) assertInteger(value, name, 1, 2 ** 31 - 1)
    }
    const service = new ContactRequests(init)
    await init.account.node.libp2p.handle(
      CONTACT_REQUEST_PROTOCOL,
      (stream: Stream, connection: Connection) => service.#answer(stream, connection),
      { maxInboundStreams: MAX_CONCURRENT_HANDSHAKES },
    )
    await service.#sync()
    service.#following = service.#follow()
    return service
  }

  /** Points announced now (empty while requests are disabled). */
  get points(): Uint8Array[] {
    return this.#announcers[0]?.points ?? []
  }

  /**
   * Asks `card`'s account to become a contact: records the request (event 106) and delivers it in the
   * background until it is sent. Resolves with the contact group, open at once. `ownMetadata` goes in our card.
   * Throws `INVALID_CONTACT_CARD`, `CONTACT_BLOCKED`, `INVALID_CONTACT_STATE`.
   */
  async send(card: ContactCard | string, ownMetadata?: Uint8Array): Promise<GroupSession> {
    this.#assertRunning()
    const parsed = typeof card === 'string' ? parseContactCardLink(card) : card
    const session = await this.account.requestContact(parsed, ownMetadata)
    await this.#sync()
    return session
  }

  /**
   * One delivery attempt of the enqueued request to `accountId`: looks up its contact point on every system,
   * tries the peers found in turn, and resolves once one took the request (and it is marked sent). Throws
   * `CONTACT_UNREACHABLE` when none did, `INVALID_CONTACT_STATE` when no such request is enqueued.
   */
  async deliver(accountId: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#assertRunning()
    const contact = this.account.state.contacts.get(toHex(accountId))
    if (contact?.status !== ContactStatus.OUTGOING_ENQUEUED || contact.publicRendezvousSeed === undefined) {
      throw new WeshError(GroupsErrorCode.INVALID_CONTACT_STATE, 'no request to this account is enqueued', {
        data: { contact: toHex(accountId), status: contact?.status ?? null },
      })
    }
    const signal = AbortSignal.any([this.#controller.signal, ...(options.signal ? [options.signal] : [])])
    const libp2p = this.account.node.libp2p
    const ownCard: ContactCard = {
      accountId: this.account.accountId,
      publicRendezvousSeed: this.account.publicRendezvousSeed(),
      metadata: contact.ownMetadata ?? new Uint8Array(0),
    }
    const reasons: string[] = []
    const lookup = lookupTopic(
      this.#discovery,
      accountContactTopic(contact.accountId),
      contact.publicRendezvousSeed,
      {
        ...(this.#init.period === undefined ? {} : { period: this.#init.period }),
        clock: this.#clock,
        signal,
      },
    )
    try {
      for await (const peer of lookup) {
        if (peer.id.equals(libp2p.peerId)) continue
        try {
          if (peer.multiaddrs.length > 0)
            await libp2p.peerStore.merge(peer.id, { multiaddrs: peer.multiaddrs })
          const stream = await libp2p.dialProtocol(peer.id, CONTACT_REQUEST_PROTOCOL, { signal })
          await sendContactRequestOn(stream, {
            keys: this.account.keys,
            responderAccountId: contact.accountId,
            ownCard,
            signal,
            timeoutMs: this.#init.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
          })
        } catch (error) {
          if (signal.aborted) throw aborted(error)
          reasons.push(isWeshError(error) ? error.code : error instanceof Error ? error.name : 'unknown')
          continue
        }
        // Another device of the account may have delivered it meanwhile: then it is already marked.
        if (this.account.state.contacts.get(toHex(accountId))?.status === ContactStatus.OUTGOING_ENQUEUED) {
          await this.account.markContactRequestSent(contact.accountId)
        }
        this.safeDispatchEvent('request:sent', { detail: { accountId: new Uint8Array(contact.accountId) } })
        return
      }
    } catch (error) {
      if (signal.aborted) throw aborted(error)
      throw error
    }
    throw contactsError(
      ContactsErrorCode.CONTACT_UNREACHABLE,
      'no peer on the contact point took the request',
      {
        data: { found: reasons.length, reasons },
      },
    )
  }

  /** Stops announcing (withdrawing the point), answering and delivering. The account stays open. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#controller.abort(contactsError(ContactsErrorCode.STOPPED, 'the contact-request service stopped'))
    await this.account.node.libp2p.unhandle(CONTACT_REQUEST_PROTOCOL)
    await this.#syncing
    await this.#following
    await this.#setAnnouncers([])
    for (const delivery of this.#deliveries.values()) delivery.controller.abort()
    await Promise.all([...this.#deliveries.values()].map((delivery) => delivery.done))
    this.#deliveries.clear()
  }

  async #answer(stream: Stream, connection: Connection): Promise<void> {
    const refuse = (error: WeshError): void => {
      stream.abort(error)
      this.safeDispatchEvent('request:refused', { detail: { error } })
    }
    if (this.#stopped) {
      refuse(contactsError(ContactsErrorCode.STOPPED, 'stopped'))
      return
    }
    if (!this.account.state.contactRequestsEnabled) {
      refuse(new WeshError(GroupsErrorCode.INVALID_CONTACT_STATE, 'this account takes no contact requests'))
      return
    }
    if (this.#inflight >= MAX_CONCURRENT_HANDSHAKES) {
      refuse(
        contactsError(ContactsErrorCode.STREAM_ENDED, 'too many handshakes at once', {
          data: { reason: 'busy', peer: connection.remotePeer.toString() },
        }),
      )
      return
    }
    this.#inflight++
    try {
      const answer = await answerContactRequestOn(stream, {
        keys: this.account.keys,
        admit: (requester) => {
          if (this.account.isBlocked(requester)) {
            throw new WeshError(GroupsErrorCode.CONTACT_BLOCKED, 'this account is blocked')
          }
          if (toHex(requester) === toHex(this.account.accountId)) {
            throw new WeshError(GroupsErrorCode.HANDSHAKE_FAILED, 'a request from our own account', {
              data: { reason: 'self' },
            })
          }
        },
        signal: this.#controller.signal,
        timeoutMs: this.#init.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      })
      let recorded: boolean
      try {
        recorded = await this.account.receiveContactRequest(answer.card)
      } catch (error) {
        answer.refuse(error)
        throw error
      }
      await answer.close()
      this.safeDispatchEvent('request:received', { detail: { card: answer.card, recorded } })
    } catch (error) {
      this.safeDispatchEvent('request:refused', { detail: { error: asWeshError(error) } })
    } finally {
      this.#inflight--
    }
  }

  // Follows the account group: each update may enable, disable or renew, or enqueue a request (maybe on
  // another device of the account).
  async #follow(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.#controller.signal.addEventListener(
        'abort',
        () => {
          resolve()
        },
        { once: true },
      )
    })
    while (!this.#stopped) {
      const next = this.account.accountGroup.nextUpdate()
      await this.#sync()
      await Promise.race([next, stopped])
    }
  }

  #sync(): Promise<void> {
    this.#syncing = this.#syncing.then(async () => {
      if (this.#stopped) return
      await this.#syncAnnouncers()
      this.#syncDeliveries()
    })
    return this.#syncing
  }

  async #syncAnnouncers(): Promise<void> {
    const state = this.account.state
    const seed = this.account.publicRendezvousSeed()
    const wanted = state.contactRequestsEnabled ? toHex(seed) : ''
    if (wanted === this.#announced) return
    this.#announced = wanted
    const topic = accountContactTopic(this.account.accountId)
    await this.#setAnnouncers(
      state.contactRequestsEnabled ? this.#systems.map((system) => this.#announcer(system, topic, seed)) : [],
    )
  }

  #announcer(system: Discovery, topic: Uint8Array, seed: Uint8Array): PointAnnouncer {
    const announcer = new PointAnnouncer({
      discovery: system,
      topic,
      seed,
      clock: this.#clock,
      ...(this.#init.period === undefined ? {} : { period: this.#init.period }),
      ...(this.#init.ttl === undefined ? {} : { ttl: this.#init.ttl }),
      ...(this.#init.announceRetryMs === undefined ? {} : { retryMs: this.#init.announceRetryMs }),
    })
    announcer.addEventListener('register', (event) =>
      this.safeDispatchEvent('announce:register', {
        detail: { system: system.name, point: event.detail.point, ttl: event.detail.ttl },
      }),
    )
    announcer.addEventListener('error', (event) =>
      this.safeDispatchEvent('announce:error', {
        detail: { system: system.name, error: event.detail.error },
      }),
    )
    return announcer
  }

  // Old announcers withdraw their points first (PROTOCOL.md §6.2: renewal stops the old point at once).
  async #setAnnouncers(next: PointAnnouncer[]): Promise<void> {
    const previous = this.#announcers
    this.#announcers = []
    await Promise.all(previous.map((announcer) => announcer.stop()))
    this.#announcers = next
    for (const announcer of next) announcer.start()
    if (previous.length > 0 || next.length > 0) {
      this.safeDispatchEvent('announce:change', { detail: { points: this.points } })
    }
  }

  #syncDeliveries(): void {
    const enqueued = new Map<string, ContactState>()
    for (const [key, contact] of this.account.state.contacts) {
      if (contact.status === ContactStatus.OUTGOING_ENQUEUED && !this.account.state.blocked.has(key)) {
        enqueued.set(key, contact)
      }
    }
    for (const [key, delivery] of this.#deliveries) {
      if (!enqueued.has(key)) delivery.controller.abort()
    }
    for (const [key, contact] of enqueued) {
      if (this.#deliveries.has(key)) continue
      const controller = new AbortController()
      const done = this.#deliverUntilSent(contact.accountId, controller.signal).finally(() => {
        if (this.#deliveries.get(key)?.controller === controller) this.#deliveries.delete(key)
      })
      this.#deliveries.set(key, { controller, done })
    }
  }

  async #deliverUntilSent(accountId: Uint8Array, signal: AbortSignal): Promise<void> {
    const initial = this.#init.retryInitialMs ?? DEFAULT_RETRY_INITIAL_MS
    const max = this.#init.retryMaxMs ?? DEFAULT_RETRY_MAX_MS
    const cancelled = (): boolean => signal.aborted || this.#stopped
    for (let attempt = 1; !cancelled(); attempt++) {
      try {
        await this.deliver(accountId, { signal })
        return
      } catch (error) {
        if (cancelled()) return
        const delayMs = retryDelay(attempt, initial, max)
        this.safeDispatchEvent('request:retry', {
          detail: { accountId: new Uint8Array(accountId), attempt, delayMs, error: asWeshError(error) },
        })
        await this.#sleep(delayMs, signal)
      }
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        this.#clock.clearTimeout(handle)
        resolve()
      }
      const handle = this.#clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        this.#controller.signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#controller.signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  #assertRunning(): void {
    if (this.#stopped) throw contactsError(ContactsErrorCode.STOPPED, 'the contact-request service stopped')
  }
}

function aborted(cause: unknown): WeshError {
  return contactsError(ContactsErrorCode.ABORTED, 'delivery was aborted', { cause })
}

function asWeshError(error: unknown): WeshError {
  if (isWeshError(error)) return error
  return new WeshError(
    ContactsErrorCode.STREAM_ENDED,
    error instanceof Error ? error.message : String(error),
    {
      data: { reason: error instanceof Error ? error.name : 'unknown' },
      cause: error,
    },
  )
}
