/**
 * libp2p over Bluetooth LE (PROTOCOL.md §7): a radio driver interface, a simulated radio, framing with
 * acknowledgement and retransmission, a libp2p transport (`/ble/<device id>`) and peer discovery. The BlueZ
 * driver is the separate entry point `@wesh/transport-ble/bluez`.
 *
 * @example
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { noise } from '@libp2p/noise'
 * import { yamux } from '@libp2p/yamux'
 * import { SimulatedRadio, ble, bleDiscovery } from '@wesh/transport-ble'
 *
 * const radio = new SimulatedRadio({ seed: 1 })
 * const driver = radio.createDevice('alice')
 * const node = await createLibp2p({
 *   addresses: { listen: ['/ble/alice'] },
 *   transports: [ble({ driver })],
 *   peerDiscovery: [bleDiscovery({ driver })],
 *   connectionEncrypters: [noise()],
 *   streamMuxers: [yamux()],
 * })
 * ```
 * @packageDocumentation
 */
export { BleError, BleErrorCode, isBleError } from './errors.js'
export * from './constants.js'
export { isDeviceId } from './device-id.js'
export { createPrng, type Prng } from './prng.js'
export type {
  RadioDriver,
  RadioDriverEvents,
  NearbyDevice,
  RadioLink,
  RadioLinkEvents,
  RadioLinkCloseReason,
} from './radio-driver.js'
export {
  SimulatedRadio,
  SimulatedRadioDevice,
  type SimulatedLinkOptions,
  type SimulatedRadioOptions,
  type SimulatedDeviceOptions,
} from './simulated-radio.js'
export { ReliableLink, type ReliableLinkOptions, type ReliableLinkEvents } from './reliable-link.js'
export { BleMultiaddrConnection, type BleMultiaddrConnectionInit } from './ble-connection.js'
export {
  ble,
  BleTransport,
  BLE_LISTEN_ANY,
  type BleTransportInit,
  type BleTransportComponents,
} from './transport.js'
export {
  bleDiscovery,
  BleDiscovery,
  type BleDiscoveryInit,
  type BleDiscoveryComponents,
} from './discovery.js'
export { ADVERTISEMENT_VERSION, encodeAdvertisement, decodeAdvertisement } from './advertisement.js'
export { type Packet, ResetReason, encodePacket, decodePacket } from './packet.js'
export {
  BLE_PROTOCOL_NAME,
  BLE_PROTOCOL_CODE,
  DIRECT_TRANSPORT_PROTOCOLS,
  registerBleProtocol,
  bleMultiaddr,
  isBleMultiaddr,
  deviceIdOf,
  isDirectTransportAddress,
  isDirectTransportConnection,
} from './multiaddr.js'
