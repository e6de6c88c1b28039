import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  BleErrorCode,
  FIN_LINGER_MS,
  MAX_FRAME_BYTES,
  MAX_RETRANSMISSIONS,
  MAX_RTO_MS,
  MAX_SEND_BUFFER_BYTES,
  WINDOW_PACKETS,
  ReliableLink,
  SimulatedRadio,
  type RadioLink,
  type SimulatedRadioOptions,
} from '../src/index.js'
import { encodePacket, decodePacket } from '../src/packet.js'
import { FakeRadioLink } from './fake-radio-link.js'
import { nextDetail } from './helpers.js'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const stop of stops.splice(0)) await stop()
})

let deviceCounter = 0

/** Two raw radio links between fresh devices on `radio`. */
async function radioLinks(radio: SimulatedRadio): Promise<{ rawA: RadioLink; rawB: RadioLink }> {
  const alice = radio.createDevice(`a${++deviceCounter}`)
  const bob = radio.createDevice(`b${deviceCounter}`)
  await alice.start()
  await bob.start()
  stops.push(
    () => alice.stop(),
    () => bob.stop(),
  )
  await bob.advertise(new Uint8Array(0))
  const inbound = nextDetail<RadioLink>(bob, 'link')
  const rawA = await alice.connect(bob.deviceId)
  return { rawA, rawB: await inbound }
}

async function pair(
  options: SimulatedRadioOptions = {},
  radio = new SimulatedRadio({ latencyMs: 1, throughput: 1e7, ...options }),
) {
  const { rawA, rawB } = await radioLinks(radio)
  return { radio, a: new ReliableLink(rawA), b: new ReliableLink(rawB), rawA, rawB }
}

function frameOf(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff)
}

/** Writes every frame, honouring back-pressure. */
async function writeAll(link: ReliableLink, frames: Uint8Array[]): Promise<void> {
  for (const frame of frames)
    if (!link.write(frame))
      await new Promise<void>((resolve) => link.addEventListener('drain', () => resolve(), { once: true }))
}

function receive(link: ReliableLink, count: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  return new Promise((resolve, reject) => {
    link.addEventListener('frame', (event) => {
      frames.push(event.detail)
      if (frames.length === count) resolve(frames)
    })
    link.addEventListener('close', (event) => {
      if (event.detail.error !== undefined) reject(event.detail.error)
    })
  })
}

async function transfer(options: SimulatedRadioOptions, sizes: number[]) {
  const { a, b } = await pair(options)
  const frames = sizes.map((size, i) => frameOf(size, i))
  const received = receive(b, frames.length)
  await writeAll(a, frames)
  expect(await received).toEqual(frames)
  await a.close()
  return { a, b }
}

describe('ReliableLink', () => {
  it('delivers frames of every size exactly once and in order, up to MAX_FRAME_BYTES', async () => {
    const { b } = await transfer({}, [1, 2, 178, 179, 180, 181, 182, 183, 1000, MAX_FRAME_BYTES])
    // No count of retransmissions here: on a lossless link they depend only on whether the retransmission timer
    // (wall clock) fires before an acknowledgement, which a busy CI machine decides, not the code.
    expect(b.state).toBe('closed')
  })

  it(`refuses a frame of MAX_FRAME_BYTES + 1 (${MAX_FRAME_BYTES + 1})`, async () => {
    const { a } = await pair()
    expect(() => a.write(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(
      expect.objectContaining({ code: BleErrorCode.BLE_FRAME_TOO_LARGE }),
    )
    a.abort(new Error('done'))
  })

  it('recovers from 5% loss and 5% duplication (seeded)', async () => {
    const sizes = Array.from({ length: 60 }, (_, i) => 1 + ((i * 977) % 3000))
    const { a, b } = await transfer({ seed: 5, lossRate: 0.05, duplicateRate: 0.05 }, sizes)
    expect(a.stats.retransmissions).toBeGreaterThan(0)
    expect(b.stats.duplicatesReceived).toBeGreaterThan(0)
  })

  it('recovers from 30% loss', async () => {
    await transfer({ seed: 9, lossRate: 0.3 }, [5000, 300, 7000])
  })

  it('works at the smallest MTU (23: 20-byte packets)', async () => {
    const { a } = await transfer({ mtu: 23, lossRate: 0.02, seed: 3 }, [1, 13, 14, 17, 18, 5000])
    expect(a.radioLink.maxPacketBytes).toBe(20)
  })

  it('makes a slow reader slow the writer: the window stops and the send buffer stays bounded', async () => {
    const { a, b } = await pair()
    b.pause()
    // The writer probes only once every packet it sent is acknowledged and the window is shut.
    const probed = new Promise<void>((resolve) =>
      b.radioLink.addEventListener('packet', (event) => event.detail[0] === 0x04 && resolve()),
    )
    const frames: Uint8Array[] = []
    let accepted = true
    while (accepted) {
      const frame = frameOf(4096, frames.length)
      frames.push(frame)
      accepted = a.write(frame)
    }
    expect(a.bufferedBytes).toBeGreaterThanOrEqual(MAX_SEND_BUFFER_BYTES)
    expect(a.bufferedBytes).toBeLessThan(MAX_SEND_BUFFER_BYTES + 4096)
    // The paused receiver takes one window of packets and no more: the writer then only probes the shut window.
    await probed
    expect(a.stats.packetsSent).toBe(WINDOW_PACKETS)
    const received = receive(b, frames.length)
    b.resume()
    expect(await received).toEqual(frames)
    await a.close()
  })

  it('closes cleanly on both sides, leaving no timers and no radio link', async () => {
    const { radio, a, b } = await pair()
    const closes = Promise.all([
      nextDetail<{ error?: Error }>(a, 'close'),
      nextDetail<{ error?: Error }>(b, 'close'),
    ])
    a.write(frameOf(500, 1))
    await a.close()
    expect((await closes).map((detail) => detail.error)).toEqual([undefined, undefined])
    expect(radio.linkCount).toBe(0)
    expect(a.activeTimers + b.activeTimers).toBe(0)
  })

  it('closes cleanly when both sides close at once', async () => {
    const { radio, a, b } = await pair({ seed: 2, lossRate: 0.1 })
    await Promise.all([a.close(), b.close()])
    expect([a.error, b.error]).toEqual([undefined, undefined])
    expect(radio.linkCount).toBe(0)
    expect(a.activeTimers + b.activeTimers).toBe(0)
  })

  it('fails both sides with BLE_LINK_LOST when the radio link vanishes mid-frame, leaving no timers', async () => {
    const { radio, a, b } = await pair({ throughput: 50_000 })
    const firstPacket = new Promise<void>((resolve) =>
      b.radioLink.addEventListener('packet', () => resolve(), { once: true }),
    )
    const closes = Promise.all([
      nextDetail<{ error?: Error }>(a, 'close'),
      nextDetail<{ error?: Error }>(b, 'close'),
    ])
    a.write(frameOf(MAX_FRAME_BYTES, 0))
    const closing = a.close()
    await firstPacket
    radio.dropLinks()
    const [ea, eb] = await closes
    expect(ea.error).toMatchObject({ code: BleErrorCode.BLE_LINK_LOST })
    expect(eb.error).toMatchObject({ code: BleErrorCode.BLE_LINK_LOST })
    await expect(closing).rejects.toMatchObject({ code: BleErrorCode.BLE_LINK_LOST })
    expect(a.activeTimers + b.activeTimers).toBe(0)
    expect(() => a.write(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: BleErrorCode.BLE_LINK_CLOSED }),
    )
  })

  it('tells the peer when it aborts: the peer sees BLE_CONNECTION_RESET', async () => {
    const { a, b } = await pair()
    const closed = nextDetail<{ error?: Error }>(b, 'close')
    a.abort(new Error('bye'))
    expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_CONNECTION_RESET })
  })

  it('closes only the connection that receives a bad frame, with a typed error', async () => {
    const radio = new SimulatedRadio({ latencyMs: 1, throughput: 1e7 })
    const bystanders = await pair({}, radio)
    const { rawA, rawB } = await radioLinks(radio)
    const victim = new ReliableLink(rawB)
    const closed = nextDetail<{ error?: Error }>(victim, 'close')
    // Two FIRST fragments in a row: the first frame's length never adds up.
    rawA.send(encodePacket({ type: 'data', seq: 0, frameLength: 10, payload: new Uint8Array(3) }))
    rawA.send(encodePacket({ type: 'data', seq: 1, frameLength: 10, payload: new Uint8Array(3) }))
    expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_FRAME_INVALID })
    const frames = [frameOf(3000, 1), frameOf(10, 2)]
    const received = receive(bystanders.b, 2)
    await writeAll(bystanders.a, frames)
    expect(await received).toEqual(frames)
    await bystanders.a.close()
  })

  describe('against a scripted peer', () => {
    function scripted() {
      const raw = new FakeRadioLink()
      const link = new ReliableLink(raw)
      const closed = nextDetail<{ error?: Error }>(link, 'close')
      return { raw, link, closed }
    }

    it(`accepts a packet WINDOW_PACKETS - 1 (${WINDOW_PACKETS - 1}) ahead and refuses one at the window edge`, async () => {
      const { raw, link, closed } = scripted()
      raw.receive(
        encodePacket({ type: 'data', seq: WINDOW_PACKETS - 1, frameLength: 1, payload: new Uint8Array(1) }),
      )
      expect(link.state).toBe('open')
      const ack = decodePacket(raw.sent.at(-1)!, raw.maxPacketBytes)
      expect(ack).toEqual({
        type: 'ack',
        next: 0,
        credit: WINDOW_PACKETS,
        sack: 1n << BigInt(WINDOW_PACKETS - 2),
      })
      raw.receive(
        encodePacket({ type: 'data', seq: WINDOW_PACKETS, frameLength: 1, payload: new Uint8Array(1) }),
      )
      expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_FRAME_INVALID })
      expect(decodePacket(raw.sent.at(-1)!, raw.maxPacketBytes)).toEqual({ type: 'reset', reason: 1 })
    })

    it('refuses a frame announcing more than MAX_FRAME_BYTES with BLE_FRAME_TOO_LARGE', async () => {
      const { raw, closed } = scripted()
      const bytes = encodePacket({ type: 'data', seq: 0, frameLength: 1, payload: new Uint8Array(1) })
      new DataView(bytes.buffer).setUint32(3, MAX_FRAME_BYTES + 1)
      raw.receive(bytes)
      expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_FRAME_TOO_LARGE })
    })

    it('refuses a packet longer than the link MTU allows', async () => {
      const { raw, closed } = scripted()
      raw.receive(new Uint8Array(raw.maxPacketBytes + 1).fill(1))
      expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_FRAME_TOO_LARGE })
    })

    it('refuses an acknowledgement of a packet never sent', async () => {
      const { raw, closed } = scripted()
      raw.receive(encodePacket({ type: 'ack', next: 5, credit: 1, sack: 0n }))
      expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_FRAME_INVALID })
    })

    it(`lets the writer go on below MAX_SEND_BUFFER_BYTES (${MAX_SEND_BUFFER_BYTES}) and asks it to wait at it`, () => {
      const { link } = scripted() // nobody acknowledges: everything written stays buffered
      let total = 0
      while (total + MAX_FRAME_BYTES < MAX_SEND_BUFFER_BYTES - 1) {
        expect(link.write(new Uint8Array(MAX_FRAME_BYTES))).toBe(true)
        total += MAX_FRAME_BYTES
      }
      expect(link.write(new Uint8Array(MAX_SEND_BUFFER_BYTES - 1 - total))).toBe(true)
      expect(link.bufferedBytes).toBe(MAX_SEND_BUFFER_BYTES - 1)
      expect(link.write(new Uint8Array(1))).toBe(false)
      link.abort(new Error('done'))
    })

    it('drops duplicates and delivers each frame once', () => {
      const { raw, link } = scripted()
      const frames: Uint8Array[] = []
      link.addEventListener('frame', (event) => frames.push(event.detail))
      const packet = encodePacket({ type: 'data', seq: 0, frameLength: 2, payload: Uint8Array.of(7, 8) })
      raw.receive(packet)
      raw.receive(packet)
      expect(frames).toEqual([Uint8Array.of(7, 8)])
      expect(link.stats.duplicatesReceived).toBe(1)
      link.abort(new Error('done'))
    })

    it(`re-acknowledges the peer's close for its whole retransmission budget (FIN_LINGER_MS = ${FIN_LINGER_MS}), then lets go`, async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
      const { raw, link, closed } = scripted()
      const fin = encodePacket({ type: 'fin', seq: 0 })
      const ackOfFin = { type: 'ack', next: 1, credit: WINDOW_PACKETS, sack: 0n }
      raw.receive(fin)
      expect((await closed).error).toBeUndefined()
      expect(decodePacket(raw.sent.at(-1)!, raw.maxPacketBytes)).toEqual(ackOfFin)
      // Every acknowledgement is lost: the peer retransmits its close MAX_RETRANSMISSIONS times, up to MAX_RTO_MS
      // apart, and each one is answered (a link that let go earlier turned the peer's clean close into LINK_LOST).
      for (let i = 0; i < MAX_RETRANSMISSIONS; i++) {
        vi.advanceTimersByTime(MAX_RTO_MS)
        const sent = raw.sent.length
        raw.receive(fin)
        expect(raw.sent.length).toBe(sent + 1)
        expect(decodePacket(raw.sent.at(-1)!, raw.maxPacketBytes)).toEqual(ackOfFin)
      }
      vi.advanceTimersByTime(FIN_LINGER_MS - MAX_RETRANSMISSIONS * MAX_RTO_MS - 1)
      expect(raw.open).toBe(true)
      vi.advanceTimersByTime(1) // by now the peer has given up (an answered peer takes the radio link down itself)
      expect(raw.open).toBe(false)
      expect(link.activeTimers).toBe(0)
    })

    it(`survives MAX_RETRANSMISSIONS (${MAX_RETRANSMISSIONS}) timeouts and gives up at one more with BLE_LINK_TIMEOUT`, async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
      const { raw, link, closed } = scripted()
      link.write(Uint8Array.of(1))
      const timeouts = () => raw.sent.filter((p) => p[0] === 0x11).length - 1
      while (timeouts() < MAX_RETRANSMISSIONS) await vi.advanceTimersToNextTimerAsync()
      expect(link.state).toBe('open')
      await vi.advanceTimersToNextTimerAsync()
      expect((await closed).error).toMatchObject({ code: BleErrorCode.BLE_LINK_TIMEOUT })
      expect(link.activeTimers).toBe(0)
    })
  })
})
