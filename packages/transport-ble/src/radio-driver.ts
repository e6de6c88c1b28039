import type { AbortOptions, TypedEventTarget } from '@libp2p/interface'

/**
 * The radio below the transport (PROTOCOL.md §7): advertise, scan, connect, and move packets no larger than the
 * link's MTU. Two implementations ship: {@link SimulatedRadio} devices for tests and demos, and the BlueZ driver.
 * Anything that can carry small packets between nearby devices (Android Nearby, Multipeer Connectivity) can
 * implement it.
 *
 * Packets may be lost or duplicated (phone stacks drop and repeat notifications) but are never reordered and never
 * corrupted within their bytes; the framing layer above copes with the rest.
 */
export interface RadioDriver extends TypedEventTarget<RadioDriverEvents> {
  /** This device's id on the air (valid once started; the simulated radio knows it from the start). */
  readonly deviceId: string
  /** True between the first `start()` and the matching last `stop()`. */
  readonly started: boolean
  /**
   * Powers the radio on. May be called more than once (by the transport and by discovery): each call must be matched
   * by one `stop()`, and the radio powers off at the last. Throws `BLE_UNAVAILABLE` when there is no usable adapter.
   */
  start(options?: AbortOptions): Promise<void>
  /** Undoes one `start()`; the last one stops advertising and scanning, and drops every link. */
  stop(): Promise<void>
  /** Advertises this device as connectable with `advertisement` (≤ `MAX_ADVERTISEMENT_BYTES`), replacing any earlier one. */
  advertise(advertisement: Uint8Array): Promise<void>
  /** Stops advertising: no new inbound links. */
  stopAdvertising(): Promise<void>
  /** Starts reporting nearby advertising devices as `device` and `device:lost` events. */
  startScan(): Promise<void>
  stopScan(): Promise<void>
  /** Opens a link to a nearby advertising device. Throws `BLE_UNREACHABLE`, or `AbortError` when `signal` aborts. */
  connect(deviceId: string, options?: AbortOptions): Promise<RadioLink>
}

export interface NearbyDevice {
  deviceId: string
  /** What the device advertises (this transport: a version byte and the peer id). */
  advertisement: Uint8Array
}

export interface RadioDriverEvents {
  /** A device came in range while scanning, or changed its advertisement. */
  device: CustomEvent<NearbyDevice>
  /** A device seen before is no longer in range. */
  'device:lost': CustomEvent<{ deviceId: string }>
  /** A nearby device opened a link to us while we advertise. */
  link: CustomEvent<RadioLink>
}

/** Why a radio link closed: we closed it, the peer closed it, or it was lost (range, power, supervision timeout). */
export type RadioLinkCloseReason = 'local' | 'remote' | 'lost'

export interface RadioLinkEvents {
  /** One packet from the peer, at most `maxPacketBytes` long. */
  packet: CustomEvent<Uint8Array>
  /** The send queue has room again after `send()` returned false. */
  drain: Event
  /** The link is gone; no more packets either way. */
  close: CustomEvent<{ reason: RadioLinkCloseReason }>
}

/** A connected link between two devices. */
export interface RadioLink extends TypedEventTarget<RadioLinkEvents> {
  readonly localDeviceId: string
  readonly remoteDeviceId: string
  /** `outbound` on the side that called `connect`. */
  readonly direction: 'inbound' | 'outbound'
  /** Negotiated ATT MTU. */
  readonly mtu: number
  /** Largest packet `send()` accepts: `mtu - ATT_HEADER_BYTES`. */
  readonly maxPacketBytes: number
  /** False once closed. */
  readonly open: boolean
  /**
   * Queues one packet (≤ `maxPacketBytes`). Returns false when the queue is now full: the packet is still queued,
   * but the caller should wait for `drain`. Throws `BLE_LINK_CLOSED` on a closed link and `BLE_FRAME_TOO_LARGE` on an
   * oversized packet.
   */
  send(packet: Uint8Array): boolean
  /** Disconnects; the peer sees `close` with reason `remote`. Idempotent. */
  close(): void
}
