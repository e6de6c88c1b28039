import { AbortError, TypedEventEmitter } from '@libp2p/interface'
import {
  ATT_HEADER_BYTES,
  DEFAULT_LATENCY_MS,
  DEFAULT_MTU,
  DEFAULT_THROUGHPUT_BYTES_PER_SECOND,
  MAX_ADVERTISEMENT_BYTES,
  MAX_MTU,
  MIN_MTU,
  SIMULATED_TX_QUEUE_PACKETS,
} from './constants.js'
import { assertDeviceId } from './device-id.js'
import { BleError, BleErrorCode, assertIntegerInRange, assertNumberInRange } from './errors.js'
import { createPrng, deriveSeed, type Prng } from './prng.js'
import type {
  NearbyDevice,
  RadioDriver,
  RadioDriverEvents,
  RadioLink,
  RadioLinkCloseReason,
  RadioLinkEvents,
} from './radio-driver.js'
import type { AbortOptions } from '@libp2p/interface'

/** How each simulated link behaves. Every field can be changed at run time with {@link SimulatedRadio.configure}. */
export interface SimulatedLinkOptions {
  /** ATT MTU offered by devices that do not set their own (a link uses the smaller of its two ends). Default 185. */
  mtu?: number
  /** Cap of each direction of a link, bytes per second. Default 100 000. */
  throughput?: number
  /** One-way latency, milliseconds. Connection setup takes two of them. Default 10. */
  latencyMs?: number
  /** Extra random delay in [0, jitterMs) per packet; packets still arrive in order. Default 0. */
  jitterMs?: number
  /** Probability that a packet is lost, in [0, 1). Default 0. */
  lossRate?: number
  /** Probability that a delivered packet arrives twice, in [0, 1). Default 0. */
  duplicateRate?: number
}

export interface SimulatedRadioOptions extends SimulatedLinkOptions {
  /** Seed of every random choice (loss, duplication, jitter), so runs repeat exactly. Default 1. */
  seed?: number
  /**
   * A scanning device reports every device in range again this often (real scanners repeat advertisements), so a
   * peer whose link dropped while both stayed in range is found again. 0: report changes only. Default 1000 ms.
   */
  scanIntervalMs?: number
}

export interface SimulatedDeviceOptions {
  /** Range group: devices hear each other only within the same island; `null` is out of everyone's range. */
  island?: string | null
  /** ATT MTU this device supports (the link takes the smaller of both ends). */
  mtu?: number
}

type ResolvedLinkOptions = Required<SimulatedLinkOptions>

function validateLinkOptions(options: SimulatedLinkOptions): void {
  if (options.mtu !== undefined) assertIntegerInRange(options.mtu, 'mtu', MIN_MTU, MAX_MTU)
  if (options.throughput !== undefined) assertNumberInRange(options.throughput, 'throughput', 1, 1e12)
  if (options.latencyMs !== undefined) assertNumberInRange(options.latencyMs, 'latencyMs', 0, 60_000)
  if (options.jitterMs !== undefined) assertNumberInRange(options.jitterMs, 'jitterMs', 0, 60_000)
  if (options.lossRate !== undefined) assertNumberInRange(options.lossRate, 'lossRate', 0, 0.99)
  if (options.duplicateRate !== undefined)
    assertNumberInRange(options.duplicateRate, 'duplicateRate', 0, 0.99)
}

/**
 * The air shared by simulated devices: range groups ("islands") that can change at run time, and links with an MTU,
 * a throughput cap, latency, jitter, loss and duplication, all seeded so that a run repeats exactly.
 *
 * @example
 * ```ts
 * const radio = new SimulatedRadio({ seed: 7, lossRate: 0.05 })
 * const alice = radio.createDevice('alice')
 * const bob = radio.createDevice('bob')
 * radio.moveDevice('bob', 'elsewhere') // bob walks out of range: links between them drop
 * ```
 */
export class SimulatedRadio {
  readonly #devices = new Map<string, SimulatedRadioDevice>()
  readonly #links = new Set<SimulatedLinkPair>()
  readonly #seed: number
  /** @internal */ readonly scanIntervalMs: number
  #options: ResolvedLinkOptions
  #linkCounter = 0

  constructor(options: SimulatedRadioOptions = {}) {
    validateLinkOptions(options)
    this.#seed = options.seed === undefined ? 1 : assertIntegerInRange(options.seed, 'seed', 0, 0xffff_ffff)
    this.scanIntervalMs =
      options.scanIntervalMs === undefined
        ? 1000
        : assertIntegerInRange(options.scanIntervalMs, 'scanIntervalMs', 0, 3_600_000)
    this.#options = {
      mtu: options.mtu ?? DEFAULT_MTU,
      throughput: options.throughput ?? DEFAULT_THROUGHPUT_BYTES_PER_SECOND,
      latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
      jitterMs: options.jitterMs ?? 0,
      lossRate: options.lossRate ?? 0,
      duplicateRate: options.duplicateRate ?? 0,
    }
  }

  /** Current link behaviour. */
  get options(): Readonly<ResolvedLinkOptions> {
    return this.#options
  }

  /** Changes link behaviour; loss, duplication, latency and throughput apply to open links too, MTU to new ones. */
  configure(options: SimulatedLinkOptions): void {
    validateLinkOptions(options)
    this.#options = { ...this.#options, ...stripUndefined(options) }
  }

  /** Adds a device to the air. Its driver is returned; the device id must be unique. */
  createDevice(deviceId: string, options: SimulatedDeviceOptions = {}): SimulatedRadioDevice {
    assertDeviceId(deviceId)
    if (this.#devices.has(deviceId))
      throw new BleError(BleErrorCode.BLE_INVALID_ARGUMENT, `device ${deviceId} already exists`, {
        data: { argument: 'deviceId' },
      })
    if (options.mtu !== undefined) assertIntegerInRange(options.mtu, 'mtu', MIN_MTU, MAX_MTU)
    const device = new SimulatedRadioDevice(
      this,
      deviceId,
      options.island === undefined ? 'default' : options.island,
      options.mtu,
    )
    this.#devices.set(deviceId, device)
    return device
  }

  /** The device with this id, if any. */
  device(deviceId: string): SimulatedRadioDevice | undefined {
    return this.#devices.get(deviceId)
  }

  /**
   * Moves a device to another island (`null`: out of everyone's range). Links to devices it no longer shares an
   * island with drop at once (both ends see `close` with reason `lost`), and scanners see it come and go.
   */
  moveDevice(deviceId: string, island: string | null): void {
    const device = this.#devices.get(deviceId)
    if (device === undefined)
      throw new BleError(BleErrorCode.BLE_INVALID_ARGUMENT, `no device ${deviceId}`, {
        data: { argument: 'deviceId' },
      })
    device.island = island
    for (const link of [...this.#links])
      if (!this.inRange(link.a.device, link.b.device)) link.terminate('lost', 'lost')
    this.refreshScans()
  }

  /** Drops links suddenly, as when a phone's radio glitches: every link, or those of one device. */
  dropLinks(deviceId?: string): void {
    for (const link of [...this.#links])
      if (
        deviceId === undefined ||
        link.a.device.deviceId === deviceId ||
        link.b.device.deviceId === deviceId
      )
        link.terminate('lost', 'lost')
  }

  /** Number of open links on the air. */
  get linkCount(): number {
    return this.#links.size
  }

  /** @internal */
  inRange(a: SimulatedRadioDevice, b: SimulatedRadioDevice): boolean {
    return a !== b && a.island !== null && a.island === b.island
  }

  /** @internal */
  createLink(from: SimulatedRadioDevice, to: SimulatedRadioDevice): SimulatedLinkPair {
    const id = ++this.#linkCounter
    const mtu = Math.min(from.mtu ?? this.#options.mtu, to.mtu ?? this.#options.mtu)
    const link = new SimulatedLinkPair(this, from, to, mtu, (label) =>
      createPrng(deriveSeed(this.#seed, `${id}:${from.deviceId}>${to.deviceId}:${label}`)),
    )
    this.#links.add(link)
    return link
  }

  /** @internal */
  forgetLink(link: SimulatedLinkPair): void {
    this.#links.delete(link)
  }

  /** @internal */
  linksOf(device: SimulatedRadioDevice): SimulatedLinkPair[] {
    return [...this.#links].filter((link) => link.a.device === device || link.b.device === device)
  }

  /** @internal Tells every scanning device (or just `only`, repeating everything it sees) what it now sees. */
  refreshScans(only?: SimulatedRadioDevice): void {
    for (const scanner of only === undefined ? this.#devices.values() : [only]) {
      if (!scanner.started || !scanner.scanning) continue
      const visible = new Map<string, Uint8Array>()
      for (const other of this.#devices.values())
        if (other.started && other.advertisement !== undefined && this.inRange(scanner, other))
          visible.set(other.deviceId, other.advertisement)
      scanner.updateVisible(visible, only !== undefined)
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/** A simulated device: the {@link RadioDriver} that tests hand to the transport. */
export class SimulatedRadioDevice extends TypedEventEmitter<RadioDriverEvents> implements RadioDriver {
  readonly deviceId: string
  /** @internal */ island: string | null
  /** @internal */ readonly mtu: number | undefined
  /** @internal */ advertisement: Uint8Array | undefined
  /** @internal */ scanning = false
  readonly #radio: SimulatedRadio
  #starts = 0
  #seen = new Map<string, Uint8Array>()
  #scanTimer: ReturnType<typeof setInterval> | undefined

  /** @internal */
  constructor(radio: SimulatedRadio, deviceId: string, island: string | null, mtu: number | undefined) {
    super()
    this.#radio = radio
    this.deviceId = deviceId
    this.island = island
    this.mtu = mtu
  }

  get started(): boolean {
    return this.#starts > 0
  }

  /** The island this device is in (`null`: out of range of everyone). */
  get currentIsland(): string | null {
    return this.island
  }

  start(options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    this.#starts++
    return Promise.resolve()
  }

  stop(): Promise<void> {
    if (this.#starts === 0) return Promise.resolve()
    this.#starts--
    if (this.#starts === 0) {
      this.advertisement = undefined
      this.#stopScanning()
      for (const link of this.#radio.linksOf(this))
        link.terminate(link.a.device === this ? 'local' : 'lost', link.a.device === this ? 'lost' : 'local')
      this.#radio.refreshScans()
    }
    return Promise.resolve()
  }

  advertise(advertisement: Uint8Array): Promise<void> {
    this.#assertStarted()
    if (!(advertisement instanceof Uint8Array) || advertisement.length > MAX_ADVERTISEMENT_BYTES)
      throw new BleError(
        BleErrorCode.BLE_INVALID_ARGUMENT,
        `advertisement must be a Uint8Array of at most ${MAX_ADVERTISEMENT_BYTES} bytes`,
        { data: { argument: 'advertisement', max: MAX_ADVERTISEMENT_BYTES } },
      )
    this.advertisement = advertisement.slice()
    this.#radio.refreshScans()
    return Promise.resolve()
  }

  stopAdvertising(): Promise<void> {
    this.advertisement = undefined
    this.#radio.refreshScans()
    return Promise.resolve()
  }

  startScan(): Promise<void> {
    this.#assertStarted()
    if (!this.scanning) {
      this.scanning = true
      this.#seen.clear()
      this.#radio.refreshScans()
      if (this.#radio.scanIntervalMs > 0)
        this.#scanTimer = setInterval(() => {
          this.#radio.refreshScans(this)
        }, this.#radio.scanIntervalMs)
    }
    return Promise.resolve()
  }

  stopScan(): Promise<void> {
    this.#stopScanning()
    return Promise.resolve()
  }

  #stopScanning(): void {
    this.scanning = false
    this.#seen.clear()
    if (this.#scanTimer !== undefined) clearInterval(this.#scanTimer)
    this.#scanTimer = undefined
  }

  async connect(deviceId: string, options: AbortOptions = {}): Promise<RadioLink> {
    assertDeviceId(deviceId)
    this.#assertStarted()
    options.signal?.throwIfAborted()
    // A connection request and its response: two one-way latencies.
    await abortableDelay(2 * this.#radio.options.latencyMs, options.signal)
    const target = this.#radio.device(deviceId)
    if (!this.started) throw new BleError(BleErrorCode.BLE_NOT_STARTED, 'radio stopped while connecting')
    if (
      target === undefined ||
      !target.started ||
      target.advertisement === undefined ||
      !this.#radio.inRange(this, target)
    )
      throw new BleError(
        BleErrorCode.BLE_UNREACHABLE,
        `device ${deviceId} is not in range or not advertising`,
        {
          data: { deviceId },
        },
      )
    const link = this.#radio.createLink(this, target)
    target.safeDispatchEvent('link', { detail: link.b })
    return link.a
  }

  /** @internal */
  updateVisible(visible: Map<string, Uint8Array>, repeat: boolean): void {
    const appeared: NearbyDevice[] = []
    const lost: string[] = []
    for (const [deviceId, advertisement] of visible) {
      const before = this.#seen.get(deviceId)
      if (repeat || before === undefined || !sameBytes(before, advertisement))
        appeared.push({ deviceId, advertisement: advertisement.slice() })
    }
    for (const deviceId of this.#seen.keys()) if (!visible.has(deviceId)) lost.push(deviceId)
    this.#seen = new Map(visible)
    if (appeared.length === 0 && lost.length === 0) return
    // Reported from the event loop, never from inside the call that changed the air.
    queueMicrotask(() => {
      if (!this.scanning) return
      for (const deviceId of lost) this.safeDispatchEvent('device:lost', { detail: { deviceId } })
      for (const device of appeared) this.safeDispatchEvent('device', { detail: device })
    })
  }

  #assertStarted(): void {
    if (!this.started)
      throw new BleError(BleErrorCode.BLE_NOT_STARTED, `device ${this.deviceId} is not started`)
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new AbortError())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** @internal Both ends of one simulated link and the two directions between them. */
class SimulatedLinkPair {
  readonly a: SimulatedLinkEnd
  readonly b: SimulatedLinkEnd
  readonly #radio: SimulatedRadio
  #open = true

  constructor(
    radio: SimulatedRadio,
    from: SimulatedRadioDevice,
    to: SimulatedRadioDevice,
    mtu: number,
    prng: (label: string) => Prng,
  ) {
    this.#radio = radio
    this.a = new SimulatedLinkEnd(this, from, to.deviceId, 'outbound', mtu)
    this.b = new SimulatedLinkEnd(this, to, from.deviceId, 'inbound', mtu)
    this.a.channel = new Channel(radio, prng('a>b'), this.a, this.b)
    this.b.channel = new Channel(radio, prng('b>a'), this.b, this.a)
  }

  get open(): boolean {
    return this.#open
  }

  /** Closes both ends; each sees its own reason. */
  terminate(reasonA: RadioLinkCloseReason, reasonB: RadioLinkCloseReason): void {
    if (!this.#open) return
    this.#open = false
    this.#radio.forgetLink(this)
    const fromA = this.a.channel?.stop() ?? []
    const fromB = this.b.channel?.stop() ?? []
    queueMicrotask(() => {
      // A deliberate disconnect goes after the packets already sent (as the link layer's terminate does);
      // a lost link takes them with it.
      if (reasonA === 'local')
        for (const packet of fromA) this.b.safeDispatchEvent('packet', { detail: packet })
      if (reasonB === 'local')
        for (const packet of fromB) this.a.safeDispatchEvent('packet', { detail: packet })
      this.a.safeDispatchEvent('close', { detail: { reason: reasonA } })
      this.b.safeDispatchEvent('close', { detail: { reason: reasonB } })
    })
  }
}

class SimulatedLinkEnd extends TypedEventEmitter<RadioLinkEvents> implements RadioLink {
  readonly localDeviceId: string
  readonly remoteDeviceId: string
  readonly direction: 'inbound' | 'outbound'
  readonly mtu: number
  readonly maxPacketBytes: number
  /** @internal */ readonly device: SimulatedRadioDevice
  /** @internal */ channel: Channel | undefined
  readonly #pair: SimulatedLinkPair

  constructor(
    pair: SimulatedLinkPair,
    device: SimulatedRadioDevice,
    remoteDeviceId: string,
    direction: 'inbound' | 'outbound',
    mtu: number,
  ) {
    super()
    this.#pair = pair
    this.device = device
    this.localDeviceId = device.deviceId
    this.remoteDeviceId = remoteDeviceId
    this.direction = direction
    this.mtu = mtu
    this.maxPacketBytes = mtu - ATT_HEADER_BYTES
  }

  get open(): boolean {
    return this.#pair.open
  }

  send(packet: Uint8Array): boolean {
    if (!this.#pair.open || this.channel === undefined)
      throw new BleError(BleErrorCode.BLE_LINK_CLOSED, 'link is closed')
    if (packet.length > this.maxPacketBytes)
      throw new BleError(
        BleErrorCode.BLE_FRAME_TOO_LARGE,
        `packet of ${packet.length} bytes exceeds ${this.maxPacketBytes}`,
        {
          data: { max: this.maxPacketBytes, actual: packet.length },
        },
      )
    return this.channel.send(packet)
  }

  close(): void {
    this.#pair.terminate(
      this === this.#pair.a ? 'local' : 'remote',
      this === this.#pair.a ? 'remote' : 'local',
    )
  }
}

/** One direction of a link: airtime at the throughput cap, then latency, loss, duplication; in order. */
class Channel {
  readonly #radio: SimulatedRadio
  readonly #prng: Prng
  readonly #from: SimulatedLinkEnd
  readonly #to: SimulatedLinkEnd
  /** Packets on their way, in delivery order. */
  #flights: { packet: Uint8Array; deliverAt: number }[] = []
  /** When each packet still in the transmit queue finishes its airtime. */
  #airtimeEnds: number[] = []
  #busyUntil = 0
  #lastDeliverAt = 0
  #needsDrain = false
  #timer: { immediate?: ReturnType<typeof setImmediate>; timeout?: ReturnType<typeof setTimeout> } | undefined
  #stopped = false

  constructor(radio: SimulatedRadio, prng: Prng, from: SimulatedLinkEnd, to: SimulatedLinkEnd) {
    this.#radio = radio
    this.#prng = prng
    this.#from = from
    this.#to = to
  }

  send(packet: Uint8Array): boolean {
    const now = performance.now()
    const { throughput, latencyMs, jitterMs, lossRate, duplicateRate } = this.#radio.options
    this.#prune(now)
    const start = Math.max(now, this.#busyUntil)
    this.#busyUntil = start + (packet.length * 1000) / throughput
    this.#airtimeEnds.push(this.#busyUntil)
    // Always three draws per packet, so one packet's fate never shifts the next one's.
    const lost = this.#prng() < lossRate
    const jitter = this.#prng() * jitterMs
    const duplicated = this.#prng() < duplicateRate
    if (!lost) {
      const deliverAt = Math.max(this.#busyUntil + latencyMs + jitter, this.#lastDeliverAt)
      this.#lastDeliverAt = deliverAt
      const copy = packet.slice()
      this.#flights.push({ packet: copy, deliverAt })
      if (duplicated) this.#flights.push({ packet: copy.slice(), deliverAt })
    }
    const canSendMore = this.#airtimeEnds.length < SIMULATED_TX_QUEUE_PACKETS
    if (!canSendMore) this.#needsDrain = true
    this.#schedule(now)
    return canSendMore
  }

  /** Stops the channel and returns the packets that were still on their way. */
  stop(): Uint8Array[] {
    this.#stopped = true
    const packets = this.#flights.map((flight) => flight.packet)
    this.#flights = []
    this.#airtimeEnds = []
    this.#cancelTimer()
    return packets
  }

  #prune(now: number): void {
    while (this.#airtimeEnds.length > 0 && (this.#airtimeEnds[0] ?? Infinity) <= now)
      this.#airtimeEnds.shift()
  }

  #schedule(now: number): void {
    if (this.#stopped) return
    let next = this.#flights[0]?.deliverAt ?? Infinity
    if (this.#needsDrain) next = Math.min(next, this.#airtimeEnds[0] ?? now)
    if (next === Infinity) return
    this.#cancelTimer()
    const tick = (): void => {
      this.#timer = undefined
      this.#tick()
    }
    // Zero delay (latency 0, huge throughput) goes through setImmediate: setTimeout would add a millisecond.
    const delay = next - now
    this.#timer = delay <= 0 ? { immediate: setImmediate(tick) } : { timeout: setTimeout(tick, delay) }
  }

  #cancelTimer(): void {
    if (this.#timer?.immediate !== undefined) clearImmediate(this.#timer.immediate)
    if (this.#timer?.timeout !== undefined) clearTimeout(this.#timer.timeout)
    this.#timer = undefined
  }

  #tick(): void {
    const now = performance.now()
    while (!this.#stopped && this.#flights.length > 0 && (this.#flights[0]?.deliverAt ?? Infinity) <= now) {
      const flight = this.#flights.shift()
      if (flight !== undefined) this.#to.safeDispatchEvent('packet', { detail: flight.packet })
    }
    if (this.#stopped) return
    this.#prune(now)
    if (this.#needsDrain && this.#airtimeEnds.length < SIMULATED_TX_QUEUE_PACKETS) {
      this.#needsDrain = false
      this.#from.safeDispatchEvent('drain')
    }
    this.#schedule(performance.now())
  }
}
