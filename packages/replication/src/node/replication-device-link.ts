import type { Stream } from '@libp2p/interface'
import { ContactsErrorCode, parseLinkCode, requestDeviceLinkOn, type LinkCode } from '@wesh/contacts'
import { WeshError, erase } from '@wesh/crypto'
import { REPLICATION_DEVICE_LINK_PROTOCOL } from '../constants.js'
import { decodeReplicationDeviceGrant } from '../replication-device.js'
import type { LinkAccountOptions, LinkedAccount, ReplicationNode } from './replication-node.js'

export interface LinkReplicationDeviceOptions extends LinkAccountOptions {
  /** The replication node to link. */
  readonly replica: ReplicationNode
  /** The code an account device made with `offerReplicationDeviceLink`: its text (`wesh://link/…`) or parsed form. */
  readonly code: string | LinkCode
  /** Time allowed for the exchange (default that of `@wesh/contacts`, 20 s). */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/**
 * The replication device's side of linking (PROTOCOL.md §8 with the §6.3 exchange): dials the account device
 * named by the code on `/wesh/replication_device_link/1.0.0`, proves the code's secret, checks the account
 * device's proof, and receives a grant — the account group's public part and a token, never a key — with which
 * it becomes the account's replication device ({@link ReplicationNode.linkAccount}). The connection stays up, so
 * the account group starts syncing at once.
 *
 * Throws `INVALID_LINK_CODE`, `LINK_CODE_EXPIRED` (before dialling), `LINK_REFUSED` (wrong, used or expired code,
 * or a device that offers no replication-device link: a device-link code was given), `LINK_PROOF_FAILED`,
 * `STREAM_ENDED`, `TIMEOUT`, `ABORTED`, and the grant's and the node's errors (`SECRET_REFUSED`, …).
 */
export async function linkReplicationDevice(options: LinkReplicationDeviceOptions): Promise<LinkedAccount> {
  const code = typeof options.code === 'string' ? parseLinkCode(options.code) : options.code
  if (code.expiresAt <= Date.now()) {
    throw new WeshError(ContactsErrorCode.LINK_CODE_EXPIRED, 'the link code has expired')
  }
  const { libp2p } = options.replica.node
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  let stream: Stream
  try {
    if (code.multiaddrs.length > 0) {
      await libp2p.peerStore.merge(code.peerId, { multiaddrs: [...code.multiaddrs] })
    }
    stream = await libp2p.dialProtocol(code.peerId, REPLICATION_DEVICE_LINK_PROTOCOL, signal)
  } catch (cause) {
    if (options.signal?.aborted === true) {
      throw new WeshError(ContactsErrorCode.ABORTED, 'linking was aborted', { cause })
    }
    if ((cause as Error | undefined)?.name === 'UnsupportedProtocolError') {
      throw new WeshError(ContactsErrorCode.LINK_REFUSED, 'the device offers no replication-device link', {
        cause,
      })
    }
    throw new WeshError(ContactsErrorCode.STREAM_ENDED, 'could not reach the account device', {
      data: { reason: 'dial' },
      cause,
    })
  }
  const bytes = await requestDeviceLinkOn(stream, {
    code,
    newPeer: libp2p.peerId,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...signal,
  })
  let grant
  try {
    grant = decodeReplicationDeviceGrant(bytes)
  } finally {
    erase(bytes)
  }
  return options.replica.linkAccount(grant, {
    ...(options.maxGroups === undefined ? {} : { maxGroups: options.maxGroups }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  })
}
