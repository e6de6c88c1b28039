import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { ble, bleDiscovery, type SimulatedRadio } from '../src/index.js'

export interface BleNodeOptions {
  /** Add the scanning peer discovery (default true). */
  discovery?: boolean
}

/** libp2p options (without services) for a node whose only transport is BLE on simulated device `deviceId`. */
export function bleNodeBase(
  radio: SimulatedRadio,
  deviceId: string,
  options: BleNodeOptions = {},
): Omit<Libp2pOptions, 'services'> {
  const driver = radio.device(deviceId) ?? radio.createDevice(deviceId)
  return {
    addresses: { listen: [`/ble/${deviceId}`] },
    transports: [ble({ driver })],
    peerDiscovery: options.discovery === false ? [] : [bleDiscovery({ driver })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}

export async function createBleNode(radio: SimulatedRadio, deviceId: string, options: BleNodeOptions = {}) {
  return createLibp2p({
    ...bleNodeBase(radio, deviceId, options),
    services: { identify: identify(), ping: ping() },
  })
}

export type BleNode = Awaited<ReturnType<typeof createBleNode>>
