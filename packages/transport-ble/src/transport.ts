import { TypedEventEmitter, serviceCapabilities, transportSymbol } from '@libp2p/interface'
import { encodeAdvertisement } from './advertisement.js'
import { BleMultiaddrConnection } from './ble-connection.js'
import { BleError, BleErrorCode } from './errors.js'
import { bleMultiaddr, deviceIdOf, isBleMultiaddr, registerBleProtocol } from './multiaddr.js'
import { ReliableLink, type ReliableLinkOptions } from './reliable-link.js'
import type { RadioDriver, RadioLink } from './radio-driver.js'
import type {
  ComponentLogger,
  Connection,
  CreateListenerOptions,
  DialTransportOptions,
  Listener,
  ListenerEvents,
  Logger,
  PeerId,
  Startable,
  Transport,
  Upgrader,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface BleTransportInit extends ReliableLinkOptions {
  /** The radio: a `SimulatedRadio` device in tests, `bluezRadio()` on Linux. Shared with `bleDiscovery`. */
  driver: RadioDriver
}

export interface BleTransportComponents {
  logger: ComponentLogger
  peerId: PeerId
}

/** Listen address that means "this device, whatever its id": `/ble/any` (the BlueZ id is known only at start). */
export const BLE_LISTEN_ANY = 'any'

/**
 * A libp2p transport over a {@link RadioDriver} (PROTOCOL.md §7). Addresses are `/ble/<device id>`; Noise and Yamux
 * (or whatever the node is configured with) run on top through libp2p's upgrader, as over TCP.
 *
 * @example
 * ```ts
 * const radio = new SimulatedRadio()
 * const driver = radio.createDevice('alice')
 * const node = await createLibp2p({
 *   addresses: { listen: ['/ble/alice'] },
 *   transports: [ble({ driver })],
 *   peerDiscovery: [bleDiscovery({ driver })],
 *   connectionEncrypters: [noise()],
 *   streamMuxers: [yamux()],
 * })
 * ```
 */
export function ble(init: BleTransportInit): (components: BleTransportComponents) => Transport {
  registerBleProtocol()
  return (components) => new BleTransport(components, init)
}

export class BleTransport implements Transport, Startable {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = '@wesh/transport-ble'
  readonly [serviceCapabilities]: string[] = ['@libp2p/transport']
  readonly #components: BleTransportComponents
  readonly #init: BleTransportInit
  readonly #log: Logger
  #started = false

  constructor(components: BleTransportComponents, init: BleTransportInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('wesh:transport-ble')
  }

  get driver(): RadioDriver {
    return this.#init.driver
  }

  async start(): Promise<void> {
    if (this.#started) return
    await this.#init.driver.start()
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#init.driver.stop()
  }

  async dial(ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    options.signal.throwIfAborted()
    const deviceId = deviceIdOf(ma)
    if (!this.#started) await this.start()
    this.#log('dialing %s', deviceId)
    const radioLink = await this.#init.driver.connect(deviceId, { signal: options.signal })
    const maConn = this.#wrap(radioLink, ma, 'outbound')
    try {
      return await options.upgrader.upgradeOutbound(maConn, options)
    } catch (error) {
      this.#log.error('outbound upgrade to %s failed - %e', deviceId, error)
      maConn.abort(error instanceof Error ? error : new Error(String(error)))
      throw error
    }
  }

  createListener(options: CreateListenerOptions): Listener {
    return new BleListener(this, options.upgrader, this.#components)
  }

  /** Only `/ble/<device id>` (with `any` for this device); a peer id has no place in a listen address. */
  listenFilter(multiaddrs: Multiaddr[]): Multiaddr[] {
    return multiaddrs.filter((ma) => isBleMultiaddr(ma) && ma.getComponents().length === 1)
  }

  /** `/ble/<device id>` optionally followed by `/p2p/<peer id>`. */
  dialFilter(multiaddrs: Multiaddr[]): Multiaddr[] {
    return multiaddrs.filter((ma) => isBleMultiaddr(ma) && deviceIdOf(ma) !== BLE_LISTEN_ANY)
  }

  /** @internal */
  wrapInbound(radioLink: RadioLink): BleMultiaddrConnection {
    return this.#wrap(radioLink, bleMultiaddr(radioLink.remoteDeviceId), 'inbound')
  }

  #wrap(
    radioLink: RadioLink,
    remoteAddr: Multiaddr,
    direction: 'inbound' | 'outbound',
  ): BleMultiaddrConnection {
    const linkOptions: ReliableLinkOptions =
      this.#init.maxSendBufferBytes === undefined ? {} : { maxSendBufferBytes: this.#init.maxSendBufferBytes }
    return new BleMultiaddrConnection({
      link: new ReliableLink(radioLink, linkOptions),
      remoteAddr,
      localAddr: bleMultiaddr(radioLink.localDeviceId),
      direction,
      log: this.#log.newScope(`${direction}:${radioLink.remoteDeviceId}`),
    })
  }
}

/** Advertises this peer and hands inbound radio links to the upgrader. One per radio driver. */
class BleListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  readonly #transport: BleTransport
  readonly #upgrader: Upgrader
  readonly #components: BleTransportComponents
  readonly #log: Logger
  readonly #connections = new Set<BleMultiaddrConnection>()
  #shutdown = new AbortController()
  #listening = false

  constructor(transport: BleTransport, upgrader: Upgrader, components: BleTransportComponents) {
    super()
    this.#transport = transport
    this.#upgrader = upgrader
    this.#components = components
    this.#log = components.logger.forComponent('wesh:transport-ble:listener')
  }

  async listen(ma: Multiaddr): Promise<void> {
    const wanted = deviceIdOf(ma)
    const driver = this.#transport.driver
    if (listeners.has(driver))
      throw new BleError(BleErrorCode.BLE_ALREADY_LISTENING, 'this radio already has a listener')
    await driver.start()
    try {
      if (wanted !== BLE_LISTEN_ANY && wanted !== driver.deviceId)
        throw new BleError(
          BleErrorCode.BLE_MULTIADDR_INVALID,
          `this radio is ${driver.deviceId}, not ${wanted}`,
          {
            data: { deviceId: driver.deviceId },
          },
        )
      listeners.add(driver)
      driver.addEventListener('link', this.#onLink)
      await driver.advertise(encodeAdvertisement(this.#components.peerId))
    } catch (error) {
      listeners.delete(driver)
      driver.removeEventListener('link', this.#onLink)
      await driver.stop()
      throw error
    }
    this.#shutdown = new AbortController()
    this.#listening = true
    this.#log('listening on /ble/%s', driver.deviceId)
    this.safeDispatchEvent('listening')
  }

  getAddrs(): Multiaddr[] {
    return this.#listening ? [bleMultiaddr(this.#transport.driver.deviceId)] : []
  }

  updateAnnounceAddrs(): void {
    // Nothing to add: a /ble address needs no certificate hashes or similar.
  }

  async close(): Promise<void> {
    if (!this.#listening) return
    this.#listening = false
    const driver = this.#transport.driver
    driver.removeEventListener('link', this.#onLink)
    listeners.delete(driver)
    this.#shutdown.abort()
    await driver.stopAdvertising()
    for (const maConn of this.#connections)
      maConn.abort(new BleError(BleErrorCode.BLE_LINK_CLOSED, 'listener closed'))
    this.#connections.clear()
    await driver.stop()
    this.safeDispatchEvent('close')
  }

  readonly #onLink = (event: CustomEvent<RadioLink>): void => {
    const radioLink = event.detail
    if (!this.#listening) {
      radioLink.close()
      return
    }
    const maConn = this.#transport.wrapInbound(radioLink)
    this.#connections.add(maConn)
    maConn.addEventListener('close', () => this.#connections.delete(maConn))
    const signal = this.#upgrader.createInboundAbortSignal(this.#shutdown.signal)
    this.#upgrader
      .upgradeInbound(maConn, { signal })
      .catch((error: unknown) => {
        this.#log.error('inbound upgrade from %s failed - %e', radioLink.remoteDeviceId, error)
        maConn.abort(error instanceof Error ? error : new Error(String(error)))
      })
      .finally(() => {
        signal.clear()
      })
  }
}

/** Radios that have a listener (one each: a radio advertises one peer). */
const listeners = new WeakSet<RadioDriver>()
