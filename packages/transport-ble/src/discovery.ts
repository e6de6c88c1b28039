import { TypedEventEmitter, peerDiscoverySymbol, serviceCapabilities } from '@libp2p/interface'
import { decodeAdvertisement } from './advertisement.js'
import { bleMultiaddr, registerBleProtocol } from './multiaddr.js'
import type { NearbyDevice, RadioDriver } from './radio-driver.js'
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  Logger,
  PeerDiscovery,
  PeerDiscoveryEvents,
  PeerId,
  Startable,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface BleDiscoveryInit {
  /** The same radio driver the `ble` transport uses. */
  driver: RadioDriver
  /**
   * Connect to every peer found nearby (default true). Nearby peers are what a direct transport is for, and libp2p
   * itself does not dial discovered peers. Already-connected peers are skipped.
   */
  autoDial?: boolean
}

export interface BleDiscoveryComponents {
  logger: ComponentLogger
  peerId: PeerId
  /** libp2p's connection manager (only the two methods used). */
  connectionManager?: {
    openConnection(peer: Multiaddr, options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
}

/**
 * A libp2p peer discovery fed by scanning: each nearby device that advertises a peer id (a listening `ble`
 * transport does) becomes a `peer` event with its `/ble/<device id>` address, again whenever it comes back in range.
 */
export function bleDiscovery(init: BleDiscoveryInit): (components: BleDiscoveryComponents) => BleDiscovery {
  registerBleProtocol()
  return (components) => new BleDiscovery(components, init)
}

export class BleDiscovery extends TypedEventEmitter<PeerDiscoveryEvents> implements PeerDiscovery, Startable {
  readonly [Symbol.toStringTag] = '@wesh/transport-ble:discovery'
  readonly [serviceCapabilities]: string[] = ['@libp2p/peer-discovery']
  readonly #components: BleDiscoveryComponents
  readonly #driver: RadioDriver
  readonly #autoDial: boolean
  readonly #log: Logger
  /** What each nearby device last advertised, so that a repeated report is not a new `peer` event. */
  readonly #announced = new Map<string, string>()
  readonly #dialing = new Set<string>()
  #started = false

  constructor(components: BleDiscoveryComponents, init: BleDiscoveryInit) {
    super()
    this.#components = components
    this.#driver = init.driver
    this.#autoDial = init.autoDial ?? true
    this.#log = components.logger.forComponent('wesh:transport-ble:discovery')
  }

  get [peerDiscoverySymbol](): PeerDiscovery {
    return this
  }

  isStarted(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    await this.#driver.start()
    this.#driver.addEventListener('device', this.#onDevice)
    this.#driver.addEventListener('device:lost', this.#onDeviceLost)
    await this.#driver.startScan()
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#driver.removeEventListener('device', this.#onDevice)
    this.#driver.removeEventListener('device:lost', this.#onDeviceLost)
    this.#announced.clear()
    await this.#driver.stopScan()
    await this.#driver.stop()
  }

  readonly #onDevice = (event: CustomEvent<NearbyDevice>): void => {
    const { deviceId, advertisement } = event.detail
    const peerId = decodeAdvertisement(advertisement)
    if (peerId === undefined || peerId.equals(this.#components.peerId)) return
    if (this.#announced.get(deviceId) !== peerId.toString()) {
      this.#announced.set(deviceId, peerId.toString())
      this.#log('found %p at /ble/%s', peerId, deviceId)
      this.safeDispatchEvent('peer', { detail: { id: peerId, multiaddrs: [bleMultiaddr(deviceId)] } })
    }
    const connectionManager = this.#components.connectionManager
    if (!this.#autoDial || connectionManager === undefined || this.#dialing.has(deviceId)) return
    if (connectionManager.getConnections(peerId).length > 0) return
    this.#dialing.add(deviceId)
    connectionManager
      .openConnection(bleMultiaddr(deviceId, peerId.toString()))
      .catch((error: unknown) => {
        this.#log('could not connect to %p at /ble/%s - %e', peerId, deviceId, error)
      })
      .finally(() => {
        this.#dialing.delete(deviceId)
      })
  }

  readonly #onDeviceLost = (event: CustomEvent<{ deviceId: string }>): void => {
    this.#announced.delete(event.detail.deviceId)
  }
}
