import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  assertInteger,
  bytesToUtf8,
  erase,
  isWeshError,
  randomBytes,
  toHex,
  utf8ToBytes,
  WeshError,
} from '@wesh/crypto'
import { AccountKeys, type AccountStateV1, GroupsErrorCode } from '@wesh/groups'
import { type SecretStore, WeshAccount, type WeshNode } from '@wesh/groups/session'
import { type Clock, systemClock } from '@wesh/rendezvous'
import { TypedEventEmitter } from 'main-event'
import {
  DEFAULT_LINK_TIMEOUT_MS,
  DEVICE_LINK_PROTOCOL,
  LINK_CODE_ID_BYTES,
  LINK_CODE_TTL_MS,
  LINK_SECRET_BYTES,
  MAX_LINK_ATTEMPTS,
  MAX_LINK_CODE_ADDRESSES,
} from './constants.js'
import { answerDeviceLinkOn, type CodeClaim, requestDeviceLinkOn } from './device-link-protocol.js'
import { ContactsErrorCode, contactsError } from './errors.js'
import { type LinkCode, linkCodeText, parseLinkCode, redactedLinkCode } from './link-code.js'

export interface DeviceLinkingInit {
  /** The account whose keys a new device may receive. */
  readonly account: WeshAccount
  /** Time allowed for one exchange. Default {@link DEFAULT_LINK_TIMEOUT_MS}. */
  readonly timeoutMs?: number
  readonly clock?: Clock
}

export interface DeviceLinkingEvents {
  /** A new device proved a code and received the account keys. */
  'link:done': CustomEvent<{ peer: PeerId }>
  /** A link attempt was refused or failed; nothing was sent. */
  'link:refused': CustomEvent<{ peer: PeerId; error: WeshError }>
}

interface OpenCode {
  readonly secret: Uint8Array
  readonly expiresAt: number
  failures: number
  busy: boolean
}

/**
 * The existing device's side of interactive linking (PROTOCOL.md §6.3): makes one-time link codes and answers
 * `/wesh/device_link/1.0.0`. A code works once, for {@link LINK_CODE_TTL_MS} at most, and is revoked after
 * {@link MAX_LINK_ATTEMPTS} wrong proofs. Codes live in memory only: a restart revokes them all.
 */
export class DeviceLinking extends TypedEventEmitter<DeviceLinkingEvents> {
  readonly account: WeshAccount
  readonly #init: DeviceLinkingInit
  readonly #clock: Clock
  readonly #codes = new Map<string, OpenCode>()
  readonly #controller = new AbortController()
  #stopped = false

  private constructor(init: DeviceLinkingInit) {
    super()
    this.account = init.account
    this.#init = init
    this.#clock = init.clock ?? systemClock
  }

  static async start(init: DeviceLinkingInit): Promise<DeviceLinking> {
    if (init.timeoutMs !== undefined) assertInteger(init.timeoutMs, 'timeoutMs', 1, 2 ** 31 - 1)
    const service = new DeviceLinking(init)
    await init.account.node.libp2p.handle(
      DEVICE_LINK_PROTOCOL,
      (stream: Stream, connection: Connection) => service.#answer(stream, connection),
      { maxInboundStreams: 4 },
    )
    return service
  }

  /**
   * A new one-time link code: this device's peer ID and addresses (default: all it listens on, at most
   * {@link MAX_LINK_CODE_ADDRESSES}), a fresh 32-byte secret, expiring after `ttlMs` (at most 5 minutes).
   * Show `text` (`wesh://link/…`) as a QR code; never send it over a channel others can read.
   */
  createLinkCode(options: { ttlMs?: number; multiaddrs?: readonly Multiaddr[] } = {}): {
    code: LinkCode
    text: string
  } {
    this.#assertRunning()
    const ttlMs = options.ttlMs ?? LINK_CODE_TTL_MS
    assertInteger(ttlMs, 'ttlMs', 1, LINK_CODE_TTL_MS)
    this.#prune()
    const libp2p = this.account.node.libp2p
    const code = redactedLinkCode({
      peerId: libp2p.peerId,
      multiaddrs: (options.multiaddrs ?? libp2p.getMultiaddrs()).slice(0, MAX_LINK_CODE_ADDRESSES),
      codeId: randomBytes(LINK_CODE_ID_BYTES),
      secret: randomBytes(LINK_SECRET_BYTES),
      expiresAt: this.#clock.now() + ttlMs,
    })
    this.#codes.set(toHex(code.codeId), {
      secret: new Uint8Array(code.secret),
      expiresAt: code.expiresAt,
      failures: 0,
      busy: false,
    })
    return { code, text: linkCodeText(code) }
  }

  /** Revokes a code before it is used or expires. */
  revoke(codeId: Uint8Array): void {
    this.#forget(toHex(codeId))
  }

  /** Codes still usable. */
  get openCodes(): number {
    this.#prune()
    return this.#codes.size
  }

  /** Stops answering and revokes every open code. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#controller.abort(contactsError(ContactsErrorCode.STOPPED, 'device linking stopped'))
    for (const key of [...this.#codes.keys()]) this.#forget(key)
    await this.account.node.libp2p.unhandle(DEVICE_LINK_PROTOCOL)
  }

  async #answer(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    try {
      this.#assertRunning()
      await answerDeviceLinkOn(stream, {
        existingPeer: this.account.node.libp2p.peerId,
        newPeer: peer,
        claim: (codeId) => this.#claim(codeId),
        // PROTOCOL.md §6.3: the account key and alias key; the account group follows from them.
        accountState: () => utf8ToBytes(JSON.stringify(this.account.keys.exportState({ device: false }))),
        timeoutMs: this.#init.timeoutMs ?? DEFAULT_LINK_TIMEOUT_MS,
        signal: this.#controller.signal,
      })
      this.safeDispatchEvent('link:done', { detail: { peer } })
    } catch (error) {
      const typed = isWeshError(error)
        ? error
        : contactsError(ContactsErrorCode.STREAM_ENDED, 'the link exchange failed', { cause: error })
      this.safeDispatchEvent('link:refused', { detail: { peer, error: typed } })
    }
  }

  #claim(codeId: Uint8Array): CodeClaim {
    this.#prune()
    const key = toHex(codeId)
    const open = this.#codes.get(key)
    if (open === undefined || open.busy) {
      throw contactsError(ContactsErrorCode.LINK_REFUSED, 'unknown, used, expired or busy link code')
    }
    open.busy = true
    return {
      secret: open.secret,
      spend: () => {
        this.#forget(key)
      },
      fail: () => {
        open.busy = false
        open.failures++
        if (open.failures >= MAX_LINK_ATTEMPTS) this.#forget(key)
      },
    }
  }

  #prune(): void {
    const now = this.#clock.now()
    for (const [key, open] of this.#codes) if (open.expiresAt <= now) this.#forget(key)
  }

  #forget(key: string): void {
    const open = this.#codes.get(key)
    if (open === undefined) return
    this.#codes.delete(key)
    erase(open.secret)
  }

  #assertRunning(): void {
    if (this.#stopped) throw contactsError(ContactsErrorCode.STOPPED, 'device linking stopped')
  }
}

export interface ReceiveAccountKeysOptions {
  /** The new device's libp2p node. */
  readonly libp2p: Pick<Libp2p, 'peerId' | 'peerStore' | 'dialProtocol'>
  /** The code shown by the existing device: its text (`wesh://link/…`) or parsed form. */
  readonly code: string | LinkCode
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
  readonly clock?: Clock
}

/**
 * The new device's side (PROTOCOL.md §6.3): dials the existing device named by the code, proves the secret, checks
 * the existing device's proof, and returns the account's keys with a fresh device key of its own. Throws
 * `INVALID_LINK_CODE`, `LINK_CODE_EXPIRED` (before dialling), `LINK_REFUSED`, `LINK_PROOF_FAILED`,
 * `INVALID_ACCOUNT_STATE`, or a transport error as `STREAM_ENDED`, `TIMEOUT`, `ABORTED`.
 */
export async function receiveAccountKeys(options: ReceiveAccountKeysOptions): Promise<AccountKeys> {
  const code = typeof options.code === 'string' ? parseLinkCode(options.code) : options.code
  if (code.expiresAt <= (options.clock ?? systemClock).now()) {
    throw contactsError(ContactsErrorCode.LINK_CODE_EXPIRED, 'the link code has expired')
  }
  const { libp2p } = options
  let stream: Stream
  try {
    if (code.multiaddrs.length > 0)
      await libp2p.peerStore.merge(code.peerId, { multiaddrs: [...code.multiaddrs] })
    stream = await libp2p.dialProtocol(code.peerId, DEVICE_LINK_PROTOCOL, {
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (cause) {
    if (options.signal?.aborted === true) {
      throw contactsError(ContactsErrorCode.ABORTED, 'linking was aborted', { cause })
    }
    throw contactsError(ContactsErrorCode.STREAM_ENDED, 'could not reach the existing device', {
      data: { reason: 'dial' },
      cause,
    })
  }
  const state = await requestDeviceLinkOn(stream, {
    code,
    newPeer: libp2p.peerId,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  try {
    let parsed: unknown
    try {
      parsed = JSON.parse(bytesToUtf8(state))
    } catch (cause) {
      throw new WeshError(GroupsErrorCode.INVALID_ACCOUNT_STATE, 'the account state is not JSON', { cause })
    }
    if (typeof parsed === 'object' && parsed !== null && 'deviceSeed' in parsed) {
      // A device key never moves: the new device makes its own.
      throw new WeshError(GroupsErrorCode.INVALID_ACCOUNT_STATE, 'the account state carries a device key')
    }
    return AccountKeys.fromState(parsed as AccountStateV1)
  } finally {
    erase(state)
  }
}

/**
 * Links this new device to an account: {@link receiveAccountKeys}, then opens the account on `node` with its
 * secrets in `secrets` ({@link WeshAccount.open}); once connected to another device of the account (the link
 * leaves it connected to the existing one) it learns every group from the account group and joins them.
 */
export async function linkDevice(
  options: Omit<ReceiveAccountKeysOptions, 'libp2p'> & {
    readonly node: WeshNode
    readonly secrets: SecretStore
    readonly onRejected?: (what: string, error: unknown) => void
  },
): Promise<WeshAccount> {
  const keys = await receiveAccountKeys({ ...options, libp2p: options.node.libp2p })
  return WeshAccount.open({
    node: options.node,
    secrets: options.secrets,
    keys,
    ...(options.onRejected ? { onRejected: options.onRejected } : {}),
  })
}
