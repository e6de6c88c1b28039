/**
 * The BlueZ radio driver (Linux, Node.js) for `@wesh/transport-ble`. A separate entry point: it needs the optional
 * `@stoprocent/noble` and `@stoprocent/bleno` packages, which it loads only when the radio starts.
 *
 * @example
 * ```ts
 * import { ble, bleDiscovery } from '@wesh/transport-ble'
 * import { bluezRadio } from '@wesh/transport-ble/bluez'
 *
 * const driver = bluezRadio()
 * const node = await createLibp2p({
 *   addresses: { listen: ['/ble/any'] },
 *   transports: [ble({ driver })],
 *   peerDiscovery: [bleDiscovery({ driver })],
 *   connectionEncrypters: [noise()],
 *   streamMuxers: [yamux()],
 * }) // rejects with BLE_UNAVAILABLE where there is no adapter
 * ```
 * @packageDocumentation
 */
export {
  bluezRadio,
  BluezRadio,
  WESH_BLE_SERVICE_UUID,
  WESH_BLE_WRITE_UUID,
  WESH_BLE_NOTIFY_UUID,
  WESH_BLE_INFO_UUID,
  type BluezRadioOptions,
  type BluezRadioModules,
  type BluezRadioLoaders,
} from './bluez-driver.js'
