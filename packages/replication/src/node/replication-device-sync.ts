import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { retryDelay } from '@wesh/contacts'
import { assertInteger } from '@wesh/crypto'
import { isActiveContact } from '@wesh/groups'
import type { GroupSession, WeshAccount } from '@wesh/groups/session'
import { REPLICATION_DEVICE_AUTHENTICATION } from '../constants.js'
import { replicationDeviceToken } from '../replication-device.js'
import { replicationGroupOf } from '../replication-group.js'
import { requestReplica } from './replication-protocol.js'

/** First wait before a pass that failed is tried again; doubled (with jitter) up to the maximum. */
export const DEFAULT_SYNC_RETRY_INITIAL_MS = 5_000
export const DEFAULT_SYNC_RETRY_MAX_MS = 5 * 60_000

export interface ReplicationDeviceSyncOptions {
  /** The account whose groups to keep replicated on its replication devices. */
  readonly account: WeshAccount
  /** Default {@link DEFAULT_SYNC_RETRY_INITIAL_MS}. */
  readonly retryInitialMs?: number
  /** Default {@link DEFAULT_SYNC_RETRY_MAX_MS}. */
  readonly retryMaxMs?: number
}

/** A replication device of the account, as the account group lists it (event 403). */
export interface ReplicationDeviceEntry {
  /** Its address, ending with `/p2p/<peer ID>`. */
  readonly server: string
  readonly peer: PeerId
}

/** `detail` of `replicated` (a group was added to a device and recorded in the group) and `error` events. */
export interface ReplicationDeviceSyncDetail {
  /** The device concerned; left out when the pass failed as a whole (the account was closed). */
  readonly server?: string
  readonly groupId?: Uint8Array
  readonly error?: unknown
}

/**
 * Keeps every group of an account replicated on the account's replication devices (PROTOCOL.md §8): run it on
 * every device of the account. A replication device cannot read the account group, so the devices that can do
 * it for it — whichever device created or joined a group, or accepted a contact, the others see it in the account
 * group and any of them forwards it. On start, on each account-group update and when a replication device
 * connects, each group the account lists (multi-member groups, events 101/102; contact groups of active
 * contacts, 106–110) that does not yet list a device (event 403 in that group) is sent to it — its public part
 * only, over `/wesh/replication/1.0.0` with the token derived for that device — and then recorded in the group
 * with event 403, so that every member connects to the device too. A failed pass is retried with back-off.
 *
 * Events: `replicated` and `error`, with a {@link ReplicationDeviceSyncDetail}.
 */
export class ReplicationDeviceSync extends EventTarget {
  readonly account: WeshAccount
  readonly #retryInitialMs: number
  readonly #retryMaxMs: number
  readonly #controller = new AbortController()
  #running: Promise<void> = Promise.resolve()
  #pass: Promise<{ added: number; failed: number }> | undefined
  #wakeUp: () => void = () => undefined

  private constructor(options: ReplicationDeviceSyncOptions) {
    super()
    this.account = options.account
    this.#retryInitialMs = options.retryInitialMs ?? DEFAULT_SYNC_RETRY_INITIAL_MS
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_SYNC_RETRY_MAX_MS
    assertInteger(this.#retryInitialMs, 'retryInitialMs', 1, 2 ** 31 - 1)
    assertInteger(this.#retryMaxMs, 'retryMaxMs', this.#retryInitialMs, 2 ** 31 - 1)
  }

  /** Starts keeping the account's groups on its replication devices; `stop()` ends it (the account stays open). */
  static start(options: ReplicationDeviceSyncOptions): ReplicationDeviceSync {
    const sync = new ReplicationDeviceSync(options)
    sync.account.node.libp2p.addEventListener('peer:connect', sync.#onConnect)
    sync.#running = sync.#run()
    return sync
  }

  /** The replication devices the account group lists; entries without a valid `/p2p/` address are left out. */
  devices(): ReplicationDeviceEntry[] {
    const devices: ReplicationDeviceEntry[] = []
    for (const replica of this.account.accountGroup.state.replicas.values()) {
      if (replica.authenticationUrl !== REPLICATION_DEVICE_AUTHENTICATION) continue
      try {
        const id = multiaddr(replica.server)
          .getComponents()
          .findLast((component) => component.name === 'p2p')?.value
        if (id !== undefined) devices.push({ server: replica.server, peer: peerIdFromString(id) })
      } catch (error) {
        this.#emit('error', { server: replica.server, error })
      }
    }
    return devices
  }

  /**
   * One pass now (or the one under way): sends every listed group to each device that the group does not list
   * yet. Resolves with the number of groups added and of failures (each also an `error` event).
   */
  sync(): Promise<{ added: number; failed: number }> {
    this.#pass ??= this.#syncOnce().finally(() => {
      this.#pass = undefined
    })
    return this.#pass
  }

  /** Stops; a request under way is aborted. */
  async stop(): Promise<void> {
    if (this.#controller.signal.aborted) return
    this.#controller.abort()
    this.account.node.libp2p.removeEventListener('peer:connect', this.#onConnect)
    this.#wakeUp()
    await this.#running
  }

  /** A method, so that checks after an `await` are not narrowed away. */
  #isStopped(): boolean {
    return this.#controller.signal.aborted
  }

  readonly #onConnect = (event: CustomEvent<PeerId>): void => {
    if (this.devices().some((device) => device.peer.equals(event.detail))) this.#wakeUp()
  }

  async #run(): Promise<void> {
    const { signal } = this.#controller
    let attempt = 0
    while (!signal.aborted) {
      // Registered before the pass, so an update during it is not missed.
      const updated = this.account.accountGroup.nextUpdate()
      const woken = new Promise<void>((resolve) => (this.#wakeUp = resolve))
      const { failed } = await this.sync().catch((error: unknown) => {
        this.#emit('error', { error })
        return { added: 0, failed: 1 }
      })
      if (this.#isStopped()) return
      attempt = failed > 0 ? attempt + 1 : 0
      let timer: NodeJS.Timeout | undefined
      const retry =
        attempt === 0
          ? []
          : [
              new Promise<void>((resolve) => {
                timer = setTimeout(resolve, retryDelay(attempt, this.#retryInitialMs, this.#retryMaxMs))
              }),
            ]
      await Promise.race([updated, woken, ...retry])
      clearTimeout(timer)
    }
  }

  async #syncOnce(): Promise<{ added: number; failed: number }> {
    const devices = this.devices()
    let added = 0
    let failed = 0
    if (devices.length === 0) return { added, failed }
    const { signal } = this.#controller
    const { account } = this
    const tokens = new Map(
      devices.map((device) => [
        device.server,
        replicationDeviceToken(account.accountGroup.group.secret, device.peer.toMultihash().bytes),
      ]),
    )
    const listed = [
      ...account.groups().map((group) => group.publicKey),
      ...account
        .contacts()
        .filter(isActiveContact)
        .map((contact) => contact.accountId),
    ]
    for (const id of listed) {
      if (this.#isStopped()) break
      let session: GroupSession
      try {
        session = await account.group(id)
      } catch (error) {
        failed++
        for (const device of devices) this.#emit('error', { server: device.server, groupId: id, error })
        continue
      }
      for (const device of devices) {
        if (this.#isStopped() || session.state.replicas.has(device.server)) continue
        try {
          await requestReplica(
            account.node.libp2p,
            multiaddr(device.server),
            { kind: 'add', group: replicationGroupOf(session.group), token: tokens.get(device.server) ?? '' },
            { signal },
          )
          await session.recordReplica(device.server, REPLICATION_DEVICE_AUTHENTICATION)
          added++
          this.#emit('replicated', { server: device.server, groupId: session.group.publicKey })
        } catch (error) {
          if (this.#isStopped()) break
          failed++
          this.#emit('error', { server: device.server, groupId: session.group.publicKey, error })
        }
      }
    }
    return { added, failed }
  }

  #emit(type: 'replicated' | 'error', detail: ReplicationDeviceSyncDetail): void {
    this.dispatchEvent(
      new CustomEvent(type, {
        detail:
          detail.groupId === undefined ? detail : { ...detail, groupId: new Uint8Array(detail.groupId) },
      }),
    )
  }
}
