import { pEvent } from 'p-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextDetail } from './helpers.js'
import {
  ATT_HEADER_BYTES,
  BleError,
  BleErrorCode,
  DEFAULT_MTU,
  MAX_ADVERTISEMENT_BYTES,
  MAX_DEVICE_ID_LENGTH,
  MAX_MTU,
  MIN_MTU,
  SIMULATED_TX_QUEUE_PACKETS,
  SimulatedRadio,
  createPrng,
  type NearbyDevice,
  type RadioLink,
} from '../src/index.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function started(radio: SimulatedRadio, ...ids: string[]) {
  const devices = ids.map((id) => radio.device(id) ?? radio.createDevice(id))
  for (const device of devices) {
    await device.start()
    cleanups.push(() => device.stop())
  }
  return devices
}

async function connected(radio: SimulatedRadio): Promise<{ a: RadioLink; b: RadioLink }> {
  const [alice, bob] = await started(radio, 'alice', 'bob')
  await bob!.advertise(new Uint8Array([1]))
  const inbound = pEvent(bob!, 'link')
  const a = await alice!.connect('bob')
  const b = ((await inbound) as CustomEvent<RadioLink>).detail
  return { a, b }
}

function collect(link: RadioLink, count: number): Promise<Uint8Array[]> {
  const packets: Uint8Array[] = []
  return new Promise((resolve) => {
    link.addEventListener('packet', (event) => {
      packets.push(event.detail)
      if (packets.length === count) resolve(packets)
    })
  })
}

function expectBleError(attempt: () => unknown, code: string): void {
  let caught: unknown
  try {
    attempt()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(BleError)
  expect((caught as BleError).code).toBe(code)
}

describe('SimulatedRadio', () => {
  it('carries packets in order between two devices in range', async () => {
    const { a, b } = await connected(new SimulatedRadio({ latencyMs: 1 }))
    const received = collect(b, 20)
    for (let i = 0; i < 20; i++) a.send(new Uint8Array([i]))
    expect((await received).map((p) => p[0])).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(a.direction).toBe('outbound')
    expect(b.direction).toBe('inbound')
    expect(a.remoteDeviceId).toBe('bob')
    expect(b.remoteDeviceId).toBe('alice')
  })

  it('negotiates the smaller MTU of the two devices and refuses packets above mtu - 3', async () => {
    const radio = new SimulatedRadio({ latencyMs: 0 })
    radio.createDevice('alice', { mtu: 247 })
    radio.createDevice('bob', { mtu: 100 })
    const { a } = await connected(radio)
    expect(a.mtu).toBe(100)
    expect(a.maxPacketBytes).toBe(100 - ATT_HEADER_BYTES)
    expect(() => a.send(new Uint8Array(a.maxPacketBytes))).not.toThrow()
    expectBleError(() => a.send(new Uint8Array(a.maxPacketBytes + 1)), BleErrorCode.BLE_FRAME_TOO_LARGE)
  })

  it('uses the default MTU of 185', async () => {
    const { a } = await connected(new SimulatedRadio({ latencyMs: 0 }))
    expect(a.mtu).toBe(DEFAULT_MTU)
  })

  it('never delivers faster than the throughput cap allows', async () => {
    const throughput = 20_000
    const { a, b } = await connected(new SimulatedRadio({ latencyMs: 0, throughput }))
    const packets = 10
    const received = collect(b, packets)
    const start = performance.now()
    let sent = 0
    const pump = () => {
      while (sent < packets) if (!a.send(new Uint8Array(a.maxPacketBytes).fill(sent++))) return
    }
    a.addEventListener('drain', pump)
    pump()
    await received
    const elapsed = performance.now() - start
    // Lower bound only: the airtime of all bytes at the cap (a slow machine can only be slower).
    expect(elapsed).toBeGreaterThanOrEqual(((packets * a.maxPacketBytes) / throughput) * 1000 - 1)
  })

  it(`asks the sender to wait after ${SIMULATED_TX_QUEUE_PACKETS} queued packets and emits drain`, async () => {
    const { a } = await connected(new SimulatedRadio({ latencyMs: 0, throughput: 10_000 }))
    // The air's clock stands still while the queue fills: on a busy machine, a 10 ms pause between two real-time
    // sends lets the first packet finish its airtime, and the queue is rightly one packet shorter.
    vi.useFakeTimers({
      toFake: ['performance', 'setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'],
    })
    const results = Array.from({ length: SIMULATED_TX_QUEUE_PACKETS }, () => a.send(new Uint8Array(100)))
    expect(results.slice(0, -1).every(Boolean)).toBe(true)
    expect(results.at(-1)).toBe(false)
    const drained = pEvent(a, 'drain')
    await vi.advanceTimersToNextTimerAsync() // the first packet's airtime ends
    await drained
  })

  it('loses and duplicates packets the same way for the same seed', async () => {
    const run = async (seed: number) => {
      const radio = new SimulatedRadio({
        seed,
        latencyMs: 0,
        throughput: 1e9,
        lossRate: 0.2,
        duplicateRate: 0.1,
      })
      const { a, b } = await connected(radio)
      const got: number[] = []
      b.addEventListener('packet', (event) => got.push(event.detail[0]!))
      for (let i = 0; i < 200; i++) a.send(new Uint8Array([i]))
      // A sentinel sent without loss tells us everything before it has arrived (the air keeps order).
      radio.configure({ lossRate: 0, duplicateRate: 0 })
      const done = new Promise<void>((resolve) =>
        b.addEventListener('packet', (event) => event.detail[0] === 255 && resolve()),
      )
      a.send(new Uint8Array([255]))
      await done
      for (const cleanup of cleanups.splice(0)) await cleanup()
      return got
    }
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    expect(await run(43)).not.toEqual(first)
    const unique = new Set(first.filter((n) => n !== 255))
    expect(unique.size).toBeGreaterThan(130) // ~80% of 200 delivered
    expect(unique.size).toBeLessThan(190)
    expect(first.length).toBeGreaterThan(unique.size) // some duplicates
    expect([...unique]).toEqual([...unique].sort((x, y) => x - y)) // never reordered
  })

  it('reports advertising devices in range, loses them when they walk away, and finds them again', async () => {
    const radio = new SimulatedRadio()
    const [alice, bob] = await started(radio, 'alice', 'bob')
    await bob!.advertise(new Uint8Array([7, 7]))
    const seen = pEvent(alice!, 'device')
    await alice!.startScan()
    expect(((await seen) as CustomEvent<NearbyDevice>).detail).toEqual({
      deviceId: 'bob',
      advertisement: new Uint8Array([7, 7]),
    })
    const lost = pEvent(alice!, 'device:lost')
    radio.moveDevice('bob', 'kitchen')
    expect(((await lost) as CustomEvent<{ deviceId: string }>).detail.deviceId).toBe('bob')
    const back = pEvent(alice!, 'device')
    radio.moveDevice('alice', 'kitchen')
    expect(((await back) as CustomEvent<NearbyDevice>).detail.deviceId).toBe('bob')
  })

  it('drops links on both ends when a device walks out of range', async () => {
    const radio = new SimulatedRadio({ latencyMs: 0 })
    const { a, b } = await connected(radio)
    const closes = Promise.all([pEvent(a, 'close'), pEvent(b, 'close')]) as Promise<
      CustomEvent<{ reason: string }>[]
    >
    radio.moveDevice('bob', null)
    expect((await closes).map((event) => event.detail.reason)).toEqual(['lost', 'lost'])
    expect(a.open).toBe(false)
    expect(radio.linkCount).toBe(0)
    expectBleError(() => a.send(new Uint8Array(1)), BleErrorCode.BLE_LINK_CLOSED)
  })

  it('drops links suddenly on request and tells each side who closed otherwise', async () => {
    const radio = new SimulatedRadio({ latencyMs: 0 })
    const first = await connected(radio)
    const lost = nextDetail<{ reason: string }>(first.b, 'close')
    radio.dropLinks('alice')
    expect((await lost).reason).toBe('lost')
    const alice = radio.device('alice')!
    const inbound = pEvent(radio.device('bob')!, 'link')
    const a = await alice.connect('bob')
    const b = ((await inbound) as CustomEvent<RadioLink>).detail
    const closes = Promise.all([pEvent(a, 'close'), pEvent(b, 'close')]) as Promise<
      CustomEvent<{ reason: string }>[]
    >
    a.close()
    expect((await closes).map((event) => event.detail.reason)).toEqual(['local', 'remote'])
  })

  it('refuses to connect to devices out of range or not advertising, and honours abort', async () => {
    const radio = new SimulatedRadio({ latencyMs: 0 })
    const [alice, bob] = await started(radio, 'alice', 'bob')
    await expect(alice!.connect('bob')).rejects.toMatchObject({ code: BleErrorCode.BLE_UNREACHABLE })
    await bob!.advertise(new Uint8Array(0))
    radio.moveDevice('bob', 'far')
    await expect(alice!.connect('bob')).rejects.toMatchObject({ code: BleErrorCode.BLE_UNREACHABLE })
    await expect(alice!.connect('nobody')).rejects.toMatchObject({ code: BleErrorCode.BLE_UNREACHABLE })
    await expect(alice!.connect('alice')).rejects.toMatchObject({ code: BleErrorCode.BLE_UNREACHABLE })
    radio.moveDevice('bob', 'default')
    await expect(alice!.connect('bob', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    })
    const slow = new SimulatedRadio({ latencyMs: 10_000 })
    const [carol] = await started(slow, 'carol', 'dave')
    const controller = new AbortController()
    const attempt = carol!.connect('dave', { signal: controller.signal })
    controller.abort()
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('needs start before use, counts starts, and drops links at the last stop', async () => {
    const radio = new SimulatedRadio({ latencyMs: 0 })
    const carol = radio.createDevice('carol')
    expect(carol.started).toBe(false)
    await expect(carol.connect('bob')).rejects.toMatchObject({ code: BleErrorCode.BLE_NOT_STARTED })
    expectBleError(() => carol.advertise(new Uint8Array(1)), BleErrorCode.BLE_NOT_STARTED)
    const { a } = await connected(radio)
    const alice = radio.device('alice')!
    await alice.start()
    await alice.stop()
    expect(a.open).toBe(true)
    const closed = nextDetail<{ reason: string }>(a, 'close')
    await alice.stop()
    expect((await closed).reason).toBe('local')
    expect(alice.started).toBe(false)
  })

  it(`accepts advertisements up to ${MAX_ADVERTISEMENT_BYTES} bytes`, async () => {
    const [alice] = await started(new SimulatedRadio(), 'alice')
    await alice!.advertise(new Uint8Array(MAX_ADVERTISEMENT_BYTES))
    expectBleError(
      () => alice!.advertise(new Uint8Array(MAX_ADVERTISEMENT_BYTES + 1)),
      BleErrorCode.BLE_INVALID_ARGUMENT,
    )
  })

  it(`accepts device ids up to ${MAX_DEVICE_ID_LENGTH} URL-safe characters`, () => {
    const radio = new SimulatedRadio()
    radio.createDevice('a'.repeat(MAX_DEVICE_ID_LENGTH))
    expectBleError(
      () => radio.createDevice('b'.repeat(MAX_DEVICE_ID_LENGTH + 1)),
      BleErrorCode.BLE_INVALID_ARGUMENT,
    )
    expectBleError(() => radio.createDevice('has/slash'), BleErrorCode.BLE_INVALID_ARGUMENT)
    expectBleError(() => radio.createDevice(''), BleErrorCode.BLE_INVALID_ARGUMENT)
    expectBleError(
      () => radio.createDevice('a'.repeat(MAX_DEVICE_ID_LENGTH)),
      BleErrorCode.BLE_INVALID_ARGUMENT,
    )
  })

  it('validates its options', () => {
    expectBleError(() => new SimulatedRadio({ mtu: MIN_MTU - 1 }), BleErrorCode.BLE_INVALID_ARGUMENT)
    expect(() => new SimulatedRadio({ mtu: MIN_MTU })).not.toThrow()
    expect(() => new SimulatedRadio({ mtu: MAX_MTU })).not.toThrow()
    expectBleError(() => new SimulatedRadio({ mtu: MAX_MTU + 1 }), BleErrorCode.BLE_INVALID_ARGUMENT)
    expectBleError(() => new SimulatedRadio({ lossRate: 1 }), BleErrorCode.BLE_INVALID_ARGUMENT)
    expectBleError(() => new SimulatedRadio({ throughput: 0 }), BleErrorCode.BLE_INVALID_ARGUMENT)
    expectBleError(() => new SimulatedRadio({ seed: -1 }), BleErrorCode.BLE_INVALID_ARGUMENT)
    const radio = new SimulatedRadio()
    radio.configure({ lossRate: 0.5 })
    expect(radio.options.lossRate).toBe(0.5)
    expectBleError(() => radio.configure({ latencyMs: -1 }), BleErrorCode.BLE_INVALID_ARGUMENT)
  })
})

describe('createPrng', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = createPrng(9)
    const b = createPrng(9)
    const values = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values)
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true)
    expect(new Set(values).size).toBe(1000)
  })
})
