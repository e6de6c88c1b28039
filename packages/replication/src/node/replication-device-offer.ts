import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  ContactsErrorCode,
  DEFAULT_LINK_TIMEOUT_MS,
  LINK_CODE_ID_BYTES,
  LINK_CODE_TTL_MS,
  LINK_SECRET_BYTES,
  MAX_LINK_ATTEMPTS,
  MAX_LINK_CODE_ADDRESSES,
  answerDeviceLinkOn,
  linkCodeText,
  type CodeClaim,
  type LinkCode,
} from '@wesh/contacts'
import { WeshError, assertInteger, constantTimeEqual, erase, randomBytes } from '@wesh/crypto'
import { type WeshAccount, unrefTimer } from '@wesh/groups/session'
import { REPLICATION_DEVICE_AUTHENTICATION, REPLICATION_DEVICE_LINK_PROTOCOL } from '../constants.js'
import { replicationError, ReplicationErrorCode } from '../errors.js'
import { encodeReplicationDeviceGrant, replicationDeviceGrant } from '../replication-device.js'

export interface ReplicationDeviceOfferOptions {
  /** The account the replication device will serve; this device must be one of its devices. */
  readonly account: WeshAccount
  /** Lifetime of the code, at most (and by default) `LINK_CODE_TTL_MS` (5 minutes). */
  readonly ttlMs?: number
  /** Addresses put in the code (default: all this node listens on, at most `MAX_LINK_CODE_ADDRESSES`). */
  readonly multiaddrs?: readonly Multiaddr[]
  /** Time allowed for one exchange. Default `DEFAULT_LINK_TIMEOUT_MS`. */
  readonly timeoutMs?: number
}

/** The replication device that took the code, as recorded in the account group. */
export interface LinkedReplicationDevice {
  readonly peer: PeerId
  /** Where the account's devices reach it: one of its addresses, ending with `/p2p/<peer ID>`. */
  readonly server: string
}

/** An open replication-device code. */
export interface ReplicationDeviceOffer {
  /** The code: show `text` (`wesh://link/…`) as a QR code or hand it to the replication device's operator. */
  readonly code: LinkCode
  readonly text: string
  /**
   * Resolves once a replication device proved the code, received its grant and was recorded in the account group
   * (event 403). Rejects with `LINK_CODE_EXPIRED`, `LINK_REFUSED` (revoked after `MAX_LINK_ATTEMPTS` wrong proofs)
   * or `ABORTED` (cancelled).
   */
  readonly linked: Promise<LinkedReplicationDevice>
  /** Revokes the code if it is still open. */
  cancel(): Promise<void>
}

/**
 * The account device's side of linking a replication device (PROTOCOL.md §8, with the §6.3 exchange): a one-time
 * code, answered on `/wesh/replication_device_link/1.0.0`, that gives the device proving it the public part of the
 * account group and its token ({@link replicationDeviceGrant}) — never a key — and then records it in the account
 * group with event 403 (`authentication_url` = `wesh://replication-device/v1`). Every device of the account reads
 * that record; {@link ReplicationDeviceSync} then forwards each group the account lists to the replica.
 *
 * One offer at a time per node; the code works once, until it expires or after `MAX_LINK_ATTEMPTS` wrong proofs.
 */
export async function offerReplicationDeviceLink(
  options: ReplicationDeviceOfferOptions,
): Promise<ReplicationDeviceOffer> {
  const { account } = options
  const ttlMs = options.ttlMs ?? LINK_CODE_TTL_MS
  assertInteger(ttlMs, 'ttlMs', 1, LINK_CODE_TTL_MS)
  const timeoutMs = options.timeoutMs ?? DEFAULT_LINK_TIMEOUT_MS
  assertInteger(timeoutMs, 'timeoutMs', 1, 2 ** 31 - 1)
  const { libp2p } = account.node
  if (libp2p.getProtocols().includes(REPLICATION_DEVICE_LINK_PROTOCOL)) {
    throw replicationError(
      ReplicationErrorCode.LINK_IN_PROGRESS,
      'a replication-device code is already open on this node',
    )
  }
  const secret = randomBytes(LINK_SECRET_BYTES)
  const code: LinkCode = {
    peerId: libp2p.peerId,
    multiaddrs: (options.multiaddrs ?? libp2p.getMultiaddrs()).slice(0, MAX_LINK_CODE_ADDRESSES),
    codeId: randomBytes(LINK_CODE_ID_BYTES),
    secret: new Uint8Array(secret),
    expiresAt: Date.now() + ttlMs,
  }
  const controller = new AbortController()
  const result = deferred<LinkedReplicationDevice>()
  result.promise.catch(() => undefined) // a caller that only cancels need not await it
  let state: 'open' | 'busy' | 'spent' | 'closed' = 'open'
  let failures = 0

  const close = async (error?: WeshError): Promise<void> => {
    if (state === 'closed') return
    state = 'closed'
    clearTimeout(expiry)
    erase(secret)
    controller.abort(error)
    if (error !== undefined) result.reject(error)
    await libp2p.unhandle(REPLICATION_DEVICE_LINK_PROTOCOL)
  }
  const expiry = setTimeout(() => {
    // A code already proven is not expired: the replica is being recorded.
    if (state !== 'spent') {
      void close(new WeshError(ContactsErrorCode.LINK_CODE_EXPIRED, 'the replication-device code expired'))
    }
  }, ttlMs)
  unrefTimer(expiry) // browsers' timers are numbers: `unref` only where the runtime has it

  const claim = (codeId: Uint8Array): CodeClaim => {
    if (state !== 'open' || !constantTimeEqual(codeId, code.codeId) || Date.now() >= code.expiresAt) {
      throw new WeshError(ContactsErrorCode.LINK_REFUSED, 'unknown, used, expired or busy link code')
    }
    state = 'busy'
    return {
      secret,
      spend: () => {
        state = 'spent'
      },
      fail: () => {
        if (state !== 'busy') return
        state = 'open'
        if (++failures >= MAX_LINK_ATTEMPTS) {
          void close(new WeshError(ContactsErrorCode.LINK_REFUSED, 'the code was revoked after wrong proofs'))
        }
      },
    }
  }

  const answer = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    try {
      await answerDeviceLinkOn(stream, {
        existingPeer: libp2p.peerId,
        newPeer: peer,
        claim,
        // Only public parts and a token derived for this peer: the account keys never leave (PROTOCOL.md §8).
        accountState: () =>
          encodeReplicationDeviceGrant(
            replicationDeviceGrant(account.accountGroup.group, peer.toMultihash().bytes),
          ),
        timeoutMs,
        signal: controller.signal,
      })
    } catch {
      return // a refused or failed attempt: the code stays open (fail() counted it) or was closed
    }
    try {
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)])
      const server = await replicaAddress(libp2p, peer, signal)
      await account.accountGroup.recordReplica(server, REPLICATION_DEVICE_AUTHENTICATION)
      result.resolve({ peer, server })
    } catch (error) {
      result.reject(error instanceof Error ? error : new Error(String(error)))
    } finally {
      await close()
    }
  }

  await libp2p.handle(REPLICATION_DEVICE_LINK_PROTOCOL, answer, { maxInboundStreams: 1 })
  return {
    code,
    text: linkCodeText(code),
    linked: result.promise,
    cancel: () => close(new WeshError(ContactsErrorCode.ABORTED, 'the replication-device code was revoked')),
  }
}

/**
 * An address of `peer` to record: one it listens on, as identify reported it (it may still be under way when the
 * link ends), with its peer ID. Relay addresses are left out: a replica must be reachable directly.
 */
async function replicaAddress(
  libp2p: Pick<Libp2p, 'peerStore' | 'addEventListener' | 'removeEventListener'>,
  peer: PeerId,
  signal: AbortSignal,
): Promise<string> {
  const identified = deferred<Multiaddr[]>()
  identified.promise.catch(() => undefined) // awaited only when the peer store has no address yet
  const onIdentify = (event: CustomEvent<{ peerId: PeerId; listenAddrs: Multiaddr[] }>): void => {
    if (event.detail.peerId.equals(peer)) identified.resolve(event.detail.listenAddrs)
  }
  const onAbort = (): void => {
    identified.reject(signal.reason as Error)
  }
  libp2p.addEventListener('peer:identify', onIdentify)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const stored = await libp2p.peerStore.get(peer).catch(() => undefined)
    const direct = (addresses: readonly Multiaddr[]) =>
      addresses.filter((address) => !address.toString().includes('/p2p-circuit'))
    let found = direct(stored?.addresses.map((address) => address.multiaddr) ?? [])
    if (found.length === 0) found = direct(await identified.promise)
    const [first] = found
    if (first === undefined) {
      throw replicationError(ReplicationErrorCode.REPLICA_UNREACHABLE, 'the replica has no direct address', {
        data: { reason: 'no-address' },
      })
    }
    const withPeer = first.toString().endsWith(`/p2p/${peer.toString()}`)
    return withPeer ? first.toString() : `${first.toString()}/p2p/${peer.toString()}`
  } finally {
    libp2p.removeEventListener('peer:identify', onIdentify)
    signal.removeEventListener('abort', onAbort)
  }
}

/** A promise with its settle functions (`Promise.withResolvers` is ES2024). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}
