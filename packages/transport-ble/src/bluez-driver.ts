import { AbortError, TypedEventEmitter } from '@libp2p/interface'
import { ATT_HEADER_BYTES, MAX_ADVERTISEMENT_BYTES, MIN_MTU } from './constants.js'
import { isDeviceId } from './device-id.js'
import { BleError, BleErrorCode, assertIntegerInRange } from './errors.js'
import type {
  RadioDriver,
  RadioDriverEvents,
  RadioLink,
  RadioLinkCloseReason,
  RadioLinkEvents,
} from './radio-driver.js'
import type { AbortOptions } from '@libp2p/interface'
import type {
  Bleno,
  Characteristic as BlenoCharacteristic,
  ConnectionHandle,
  UpdateValueCallback,
} from '@stoprocent/bleno'
import type { Characteristic, Noble, Peripheral } from '@stoprocent/noble'

/** GATT service of this transport (a fixed random UUID). */
export const WESH_BLE_SERVICE_UUID = '6a0b1e00c8f34d1e9a2b3c4d5e6f7081'
/** Characteristic the central writes packets to (write without response). */
export const WESH_BLE_WRITE_UUID = '6a0b1e01c8f34d1e9a2b3c4d5e6f7081'
/** Characteristic the peripheral notifies packets on. */
export const WESH_BLE_NOTIFY_UUID = '6a0b1e02c8f34d1e9a2b3c4d5e6f7081'
/** Readable characteristic holding the advertisement payload (a legacy advertisement has no room for a peer id). */
export const WESH_BLE_INFO_UUID = '6a0b1e03c8f34d1e9a2b3c4d5e6f7081'

/** Write-without-response packets a central link keeps in flight before `send()` returns false. */
const CENTRAL_WRITE_QUEUE = 8
const ATT_SUCCESS = 0

export interface BluezRadioModules {
  noble: Noble
  bleno: Bleno
}

export interface BluezRadioOptions {
  /** Milliseconds to wait for both adapters to report `poweredOn` at start. Default 5 000. */
  startTimeoutMs?: number
  /** Name put in the advertisement. Default `wesh`. */
  localName?: string
  /** A device not heard from for this long is reported lost. Default 15 000 ms. */
  lostAfterMs?: number
  /** How the BLE packages are loaded; tests replace it. Default: dynamic import of the optional dependencies. */
  load?: Partial<BluezRadioLoaders>
}

export interface BluezRadioLoaders {
  noble: () => Promise<Noble>
  bleno: () => Promise<Bleno>
}

// Loaded only at start, one after the other: importing either already probes the adapter, and bleno keeps
// polling a missing adapter (and throws from its timer) once loaded, so it is loaded only after noble powered on.
const defaultLoaders: BluezRadioLoaders = {
  noble: async () => (await import('@stoprocent/noble')).default,
  bleno: async () => (await import('@stoprocent/bleno')).default,
}

async function loadPackage<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new BleError(
      BleErrorCode.BLE_UNAVAILABLE,
      `the optional package @stoprocent/${name} could not be loaded`,
      {
        cause: error,
        data: { package: `@stoprocent/${name}` },
      },
    )
  }
}

/**
 * The BlueZ driver (Linux) over the maintained noble (central: scan, connect) and bleno (peripheral: advertise,
 * accept) forks. One GATT service with a write characteristic (central → peripheral), a notify characteristic
 * (peripheral → central) and a read characteristic carrying the advertisement payload.
 *
 * Creating it does nothing; `start()` loads the packages and fails with `BLE_UNAVAILABLE` when they are missing or
 * no adapter powers on.
 */
export function bluezRadio(options: BluezRadioOptions = {}): BluezRadio {
  return new BluezRadio(options)
}

export class BluezRadio extends TypedEventEmitter<RadioDriverEvents> implements RadioDriver {
  readonly #startTimeoutMs: number
  readonly #localName: string
  readonly #lostAfterMs: number
  readonly #load: BluezRadioLoaders
  #modules: BluezRadioModules | undefined
  #starts = 0
  #deviceId = ''
  #advertisement = new Uint8Array(0)
  #servicesSet = false
  #scanning = false
  #lostTimer: ReturnType<typeof setInterval> | undefined
  readonly #peripherals = new Map<string, Peripheral>()
  readonly #lastSeen = new Map<string, number>()
  readonly #infos = new Map<string, Uint8Array>()
  readonly #fetching = new Set<string>()
  readonly #inbound = new Map<ConnectionHandle, PeripheralSideLink>()
  readonly #outbound = new Set<CentralSideLink>()

  constructor(options: BluezRadioOptions = {}) {
    super()
    this.#startTimeoutMs =
      options.startTimeoutMs === undefined
        ? 5_000
        : assertIntegerInRange(options.startTimeoutMs, 'startTimeoutMs', 0, 600_000)
    this.#lostAfterMs =
      options.lostAfterMs === undefined
        ? 15_000
        : assertIntegerInRange(options.lostAfterMs, 'lostAfterMs', 100, 3_600_000)
    this.#localName = options.localName ?? 'wesh'
    this.#load = { ...defaultLoaders, ...options.load }
  }

  get deviceId(): string {
    return this.#deviceId
  }

  get started(): boolean {
    return this.#starts > 0 && this.#modules !== undefined
  }

  async start(options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    this.#starts++
    if (this.#starts > 1) return
    let noble: Noble | undefined
    let bleno: Bleno | undefined
    try {
      noble = await loadPackage('noble', this.#load.noble)
      await poweredOn('noble', noble, this.#startTimeoutMs)
      bleno = await loadPackage('bleno', this.#load.bleno)
      await poweredOn('bleno', bleno, this.#startTimeoutMs)
    } catch (error) {
      this.#starts = 0
      stopQuietly(noble, bleno)
      throw error
    }
    const modules: BluezRadioModules = { noble, bleno }
    this.#modules = modules
    this.#deviceId = toDeviceId(modules.bleno.address || modules.noble.address)
    modules.bleno.on('accept', this.#onAccept)
    modules.bleno.on('disconnect', this.#onCentralDisconnect)
    modules.noble.on('discover', this.#onDiscover)
  }

  async stop(): Promise<void> {
    if (this.#starts === 0) return
    this.#starts--
    if (this.#starts > 0) return
    const modules = this.#modules
    this.#modules = undefined
    if (this.#lostTimer !== undefined) clearInterval(this.#lostTimer)
    this.#lostTimer = undefined
    this.#scanning = false
    for (const link of this.#outbound) link.terminate('local')
    for (const link of this.#inbound.values()) link.terminate('local')
    this.#inbound.clear()
    this.#outbound.clear()
    if (modules === undefined) return
    modules.bleno.removeListener('accept', this.#onAccept)
    modules.bleno.removeListener('disconnect', this.#onCentralDisconnect)
    modules.noble.removeListener('discover', this.#onDiscover)
    await Promise.resolve()
    stopQuietly(modules.noble, modules.bleno)
  }

  async advertise(advertisement: Uint8Array): Promise<void> {
    const { bleno } = this.#require()
    if (advertisement.length > MAX_ADVERTISEMENT_BYTES)
      throw new BleError(
        BleErrorCode.BLE_INVALID_ARGUMENT,
        `advertisement must be at most ${MAX_ADVERTISEMENT_BYTES} bytes`,
        {
          data: { argument: 'advertisement', max: MAX_ADVERTISEMENT_BYTES },
        },
      )
    this.#advertisement = advertisement.slice()
    if (!this.#servicesSet) {
      await bleno.setServicesAsync([this.#service(bleno)])
      this.#servicesSet = true
    }
    await bleno.startAdvertisingAsync(this.#localName, [WESH_BLE_SERVICE_UUID])
  }

  async stopAdvertising(): Promise<void> {
    if (this.#modules === undefined) return
    await this.#modules.bleno.stopAdvertisingAsync()
  }

  async startScan(): Promise<void> {
    const { noble } = this.#require()
    if (this.#scanning) return
    this.#scanning = true
    await noble.startScanningAsync([WESH_BLE_SERVICE_UUID], true)
    this.#lostTimer = setInterval(
      () => {
        const now = Date.now()
        for (const [deviceId, seen] of this.#lastSeen)
          if (now - seen > this.#lostAfterMs) {
            this.#lastSeen.delete(deviceId)
            this.safeDispatchEvent('device:lost', { detail: { deviceId } })
          }
      },
      Math.ceil(this.#lostAfterMs / 3),
    )
  }

  async stopScan(): Promise<void> {
    this.#scanning = false
    if (this.#lostTimer !== undefined) clearInterval(this.#lostTimer)
    this.#lostTimer = undefined
    if (this.#modules !== undefined) await this.#modules.noble.stopScanningAsync()
  }

  async connect(deviceId: string, options: AbortOptions = {}): Promise<RadioLink> {
    this.#require()
    options.signal?.throwIfAborted()
    const peripheral = this.#peripherals.get(deviceId)
    if (peripheral === undefined)
      throw new BleError(
        BleErrorCode.BLE_UNREACHABLE,
        `device ${deviceId} has not been seen by the scanner`,
        { data: { deviceId } },
      )
    const { write, notify } = await abortable(this.#openGatt(peripheral), options.signal, () => {
      peripheral.disconnect()
    })
    const link = new CentralSideLink(this.#deviceId, deviceId, peripheral, write, notify)
    this.#outbound.add(link)
    link.addEventListener('close', () => this.#outbound.delete(link), { once: true })
    await notify.subscribeAsync()
    return link
  }

  async #openGatt(peripheral: Peripheral): Promise<{ write: Characteristic; notify: Characteristic }> {
    await peripheral.connectAsync()
    const { characteristics } = await peripheral.discoverSomeServicesAndCharacteristicsAsync(
      [WESH_BLE_SERVICE_UUID],
      [WESH_BLE_WRITE_UUID, WESH_BLE_NOTIFY_UUID],
    )
    const write = characteristics.find((c) => c.uuid === WESH_BLE_WRITE_UUID)
    const notify = characteristics.find((c) => c.uuid === WESH_BLE_NOTIFY_UUID)
    if (write === undefined || notify === undefined) {
      await peripheral.disconnectAsync()
      throw new BleError(
        BleErrorCode.BLE_UNREACHABLE,
        'the device does not offer this transport’s GATT service',
      )
    }
    return { write, notify }
  }

  #require(): BluezRadioModules {
    if (this.#modules === undefined)
      throw new BleError(BleErrorCode.BLE_NOT_STARTED, 'the BlueZ radio is not started')
    return this.#modules
  }

  #service(bleno: Bleno) {
    const characteristics: BlenoCharacteristic[] = [
      new bleno.Characteristic({
        uuid: WESH_BLE_WRITE_UUID,
        properties: ['write', 'writeWithoutResponse'],
        onWriteRequest: (handle, data, _offset, _withoutResponse, callback) => {
          this.#inbound.get(handle)?.receive(data)
          callback(ATT_SUCCESS)
        },
      }),
      new bleno.Characteristic({
        uuid: WESH_BLE_NOTIFY_UUID,
        properties: ['notify'],
        onSubscribe: (handle, maxValueSize, updateValueCallback) => {
          this.#onSubscribe(handle, maxValueSize, updateValueCallback)
        },
        onUnsubscribe: (handle) => {
          this.#inbound.get(handle)?.terminate('remote')
        },
      }),
      new bleno.Characteristic({
        uuid: WESH_BLE_INFO_UUID,
        properties: ['read'],
        onReadRequest: (_handle, offset, callback) => {
          callback(ATT_SUCCESS, Buffer.from(this.#advertisement.subarray(offset)))
        },
      }),
    ]
    return new bleno.PrimaryService({ uuid: WESH_BLE_SERVICE_UUID, characteristics })
  }

  readonly #onAccept = (address: string, handle: ConnectionHandle): void => {
    // A link exists for the transport only once the central subscribes; a bare connection may just read the info.
    this.#inbound.get(handle)?.terminate('lost')
    this.#inbound.set(handle, new PeripheralSideLink(this.#deviceId, toDeviceId(address)))
  }

  #onSubscribe(handle: ConnectionHandle, maxValueSize: number, notify: UpdateValueCallback): void {
    const link = this.#inbound.get(handle)
    if (link === undefined) return
    link.subscribed(maxValueSize, notify)
    link.addEventListener('close', () => this.#inbound.delete(handle), { once: true })
    this.safeDispatchEvent('link', { detail: link })
  }

  readonly #onCentralDisconnect = (_address: string, handle: ConnectionHandle): void => {
    this.#inbound.get(handle)?.terminate('lost')
    this.#inbound.delete(handle)
  }

  readonly #onDiscover = (peripheral: Peripheral): void => {
    const deviceId = toDeviceId(peripheral.id)
    if (!this.#scanning || deviceId === this.#deviceId) return
    this.#peripherals.set(deviceId, peripheral)
    this.#lastSeen.set(deviceId, Date.now())
    const info = this.#infos.get(deviceId)
    if (info !== undefined) {
      this.safeDispatchEvent('device', { detail: { deviceId, advertisement: info } })
      return
    }
    if (this.#fetching.has(deviceId) || !peripheral.connectable) return
    this.#fetching.add(deviceId)
    this.#readInfo(peripheral)
      .then((advertisement) => {
        this.#infos.set(deviceId, advertisement)
        if (this.#scanning) this.safeDispatchEvent('device', { detail: { deviceId, advertisement } })
      })
      .catch(() => undefined) // tried again at the next advertisement
      .finally(() => this.#fetching.delete(deviceId))
  }

  async #readInfo(peripheral: Peripheral): Promise<Uint8Array> {
    await peripheral.connectAsync()
    try {
      const { characteristics } = await peripheral.discoverSomeServicesAndCharacteristicsAsync(
        [WESH_BLE_SERVICE_UUID],
        [WESH_BLE_INFO_UUID],
      )
      const info = characteristics.find((c) => c.uuid === WESH_BLE_INFO_UUID)
      if (info === undefined) throw new BleError(BleErrorCode.BLE_UNREACHABLE, 'no info characteristic')
      return new Uint8Array(await info.readAsync())
    } finally {
      await peripheral.disconnectAsync()
    }
  }
}

function stopQuietly(...adapters: (Noble | Bleno | undefined)[]): void {
  for (const adapter of adapters)
    try {
      adapter?.stop()
    } catch {
      // already stopped
    }
}

/** Resolves when the adapter is powered on; `BLE_UNAVAILABLE` at once for unsupported/unauthorized, or at timeout. */
function poweredOn(name: string, adapter: Noble | Bleno, timeoutMs: number): Promise<void> {
  const terminal = new Set(['unsupported', 'unauthorized'])
  if (adapter.state === 'poweredOn') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const unavailable = (state: string): BleError =>
      new BleError(BleErrorCode.BLE_UNAVAILABLE, `no usable Bluetooth LE adapter (${name} state: ${state})`, {
        data: { adapter: name, state },
      })
    const onState = (state: string): void => {
      if (state === 'poweredOn') done()
      else if (terminal.has(state)) done(unavailable(state))
    }
    const timer = setTimeout(() => {
      done(unavailable(adapter.state))
    }, timeoutMs)
    const done = (error?: BleError): void => {
      clearTimeout(timer)
      adapter.removeListener('stateChange', onState)
      if (error === undefined) resolve()
      else reject(error)
    }
    adapter.on('stateChange', onState)
    if (terminal.has(adapter.state)) done(unavailable(adapter.state))
  })
}

/** noble ids and BlueZ addresses as device ids: lower-case hex, separators dropped. */
function toDeviceId(address: string): string {
  const id = address.toLowerCase().replace(/[^0-9a-z]/g, '')
  return isDeviceId(id) ? id : 'unknown'
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (signal === undefined) return promise
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort()
      reject(new AbortError())
    }
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', abort)
    })
  })
}

/** Our link when we connected to the peer's GATT service (we are the central). */
class CentralSideLink extends TypedEventEmitter<RadioLinkEvents> implements RadioLink {
  readonly localDeviceId: string
  readonly remoteDeviceId: string
  readonly direction = 'outbound' as const
  readonly mtu: number
  readonly maxPacketBytes: number
  #open = true
  #inFlight = 0
  #needsDrain = false
  readonly #peripheral: Peripheral
  readonly #write: Characteristic

  constructor(
    localDeviceId: string,
    remoteDeviceId: string,
    peripheral: Peripheral,
    write: Characteristic,
    notify: Characteristic,
  ) {
    super()
    this.localDeviceId = localDeviceId
    this.remoteDeviceId = remoteDeviceId
    this.#peripheral = peripheral
    this.#write = write
    this.mtu = Math.max(MIN_MTU, peripheral.mtu ?? MIN_MTU)
    this.maxPacketBytes = this.mtu - ATT_HEADER_BYTES
    notify.on('data', (data: Buffer) => {
      if (this.#open) this.safeDispatchEvent('packet', { detail: new Uint8Array(data) })
    })
    peripheral.once('disconnect', () => {
      this.terminate('lost')
    })
  }

  get open(): boolean {
    return this.#open
  }

  send(packet: Uint8Array): boolean {
    if (!this.#open) throw new BleError(BleErrorCode.BLE_LINK_CLOSED, 'link is closed')
    if (packet.length > this.maxPacketBytes)
      throw new BleError(BleErrorCode.BLE_FRAME_TOO_LARGE, `packet exceeds ${this.maxPacketBytes} bytes`)
    this.#inFlight++
    this.#write
      .writeAsync(Buffer.from(packet), true)
      .then(() => {
        this.#inFlight--
        if (this.#needsDrain && this.#inFlight < CENTRAL_WRITE_QUEUE) {
          this.#needsDrain = false
          this.safeDispatchEvent('drain')
        }
      })
      .catch(() => {
        this.terminate('lost')
      })
    const canSendMore = this.#inFlight < CENTRAL_WRITE_QUEUE
    if (!canSendMore) this.#needsDrain = true
    return canSendMore
  }

  close(): void {
    if (!this.#open) return
    this.terminate('local')
    this.#peripheral.disconnectAsync().catch(() => undefined)
  }

  terminate(reason: RadioLinkCloseReason): void {
    if (!this.#open) return
    this.#open = false
    queueMicrotask(() => this.safeDispatchEvent('close', { detail: { reason } }))
  }
}

/** Our link when a central connected to our GATT service and subscribed to notifications (we are the peripheral). */
class PeripheralSideLink extends TypedEventEmitter<RadioLinkEvents> implements RadioLink {
  readonly localDeviceId: string
  readonly remoteDeviceId: string
  readonly direction = 'inbound' as const
  mtu = MIN_MTU
  maxPacketBytes = MIN_MTU - ATT_HEADER_BYTES
  #open = true
  #notify: UpdateValueCallback | undefined

  constructor(localDeviceId: string, remoteDeviceId: string) {
    super()
    this.localDeviceId = localDeviceId
    this.remoteDeviceId = remoteDeviceId
  }

  get open(): boolean {
    return this.#open
  }

  subscribed(maxValueSize: number, notify: UpdateValueCallback): void {
    this.#notify = notify
    this.maxPacketBytes = Math.max(MIN_MTU - ATT_HEADER_BYTES, maxValueSize)
    this.mtu = this.maxPacketBytes + ATT_HEADER_BYTES
  }

  receive(data: Buffer): void {
    if (this.#open) this.safeDispatchEvent('packet', { detail: new Uint8Array(data) })
  }

  send(packet: Uint8Array): boolean {
    if (!this.#open || this.#notify === undefined)
      throw new BleError(BleErrorCode.BLE_LINK_CLOSED, 'link is closed')
    if (packet.length > this.maxPacketBytes)
      throw new BleError(BleErrorCode.BLE_FRAME_TOO_LARGE, `packet exceeds ${this.maxPacketBytes} bytes`)
    // bleno queues notifications itself and reports no back-pressure.
    this.#notify(Buffer.from(packet))
    return true
  }

  close(): void {
    if (!this.#open) return
    this.terminate('local')
    // bleno can only drop every central at once; the central closes its side when the connection ends.
  }

  terminate(reason: RadioLinkCloseReason): void {
    if (!this.#open) return
    this.#open = false
    queueMicrotask(() => this.safeDispatchEvent('close', { detail: { reason } }))
  }
}
