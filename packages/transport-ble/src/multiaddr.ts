import { multiaddr, registry, V, type Multiaddr } from '@multiformats/multiaddr'
import { isDeviceId } from './device-id.js'
import { BleError, BleErrorCode } from './errors.js'
import type { Connection } from '@libp2p/interface'

/** Name of the multiaddr protocol of this transport: `/ble/<device id>`. */
export const BLE_PROTOCOL_NAME = 'ble'
/**
 * Code of the `ble` multiaddr protocol, from the multicodec private-use range (0x300000–0x3fffff): no public
 * code exists for Bluetooth LE yet, so addresses carrying it are understood only by peers using this package.
 */
export const BLE_PROTOCOL_CODE = 0x30_0b1e
/** Protocols whose connections are *direct* in the sense of PROTOCOL.md §2 (local records): physically nearby. */
export const DIRECT_TRANSPORT_PROTOCOLS: readonly string[] = [BLE_PROTOCOL_NAME]

const P2P = 'p2p'
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Adds `/ble/<device id>` to the multiaddr registry of `@multiformats/multiaddr` (idempotent). The transport,
 * discovery and helpers call it; call it yourself before parsing `/ble` strings without them.
 */
export function registerBleProtocol(): void {
  try {
    registry.getProtocol(BLE_PROTOCOL_CODE)
    return
  } catch {
    // not registered yet
  }
  registry.addProtocol({
    code: BLE_PROTOCOL_CODE,
    name: BLE_PROTOCOL_NAME,
    size: V,
    valueToBytes: (value) => encoder.encode(value),
    bytesToValue: (bytes) => decoder.decode(bytes),
    validate: (value) => {
      if (!isDeviceId(value))
        throw new BleError(
          BleErrorCode.BLE_MULTIADDR_INVALID,
          'a /ble value must be 1-64 characters of [A-Za-z0-9._~-]',
        )
    },
  })
}

registerBleProtocol()

/** `/ble/<deviceId>`, or `/ble/<deviceId>/p2p/<peerId>` when a peer id is given. */
export function bleMultiaddr(deviceId: string, peerId?: string): Multiaddr {
  registerBleProtocol()
  if (!isDeviceId(deviceId))
    throw new BleError(
      BleErrorCode.BLE_MULTIADDR_INVALID,
      'device id must be 1-64 characters of [A-Za-z0-9._~-]',
      {
        data: { argument: 'deviceId' },
      },
    )
  return multiaddr(peerId === undefined ? `/ble/${deviceId}` : `/ble/${deviceId}/p2p/${peerId}`)
}

/** True for `/ble/<device id>` optionally followed by `/p2p/<peer id>` (the addresses this transport dials). */
export function isBleMultiaddr(ma: Multiaddr): boolean {
  const components = ma.getComponents()
  const [first, second] = components
  if (first?.code !== BLE_PROTOCOL_CODE || !isDeviceId(first.value)) return false
  return components.length === 1 || (components.length === 2 && second?.name === P2P)
}

/** The device id of a `/ble/<device id>[/p2p/…]` address. Throws `BLE_MULTIADDR_INVALID` for any other address. */
export function deviceIdOf(ma: Multiaddr): string {
  const first = ma.getComponents()[0]
  if (!isBleMultiaddr(ma) || first?.value === undefined)
    throw new BleError(BleErrorCode.BLE_MULTIADDR_INVALID, `not a /ble address: ${ma.toString()}`)
  return first.value
}

/** True when the address goes over a direct (proximity) transport: it has a `/ble` component. */
export function isDirectTransportAddress(ma: Multiaddr): boolean {
  return ma.getComponents().some((component) => DIRECT_TRANSPORT_PROTOCOLS.includes(component.name))
}

/**
 * True when the connection runs over a direct transport, so that rendezvous local records (PROTOCOL.md §2) may be
 * exchanged on it. libp2p's own `connection.direct` only says "not relayed" and is true for TCP too.
 */
export function isDirectTransportConnection(connection: Pick<Connection, 'remoteAddr'>): boolean {
  return isDirectTransportAddress(connection.remoteAddr)
}
