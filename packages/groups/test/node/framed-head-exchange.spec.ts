import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { afterEach, describe, expect, it } from 'vitest'
import { createMultiMemberGroup } from '../../src/index.js'
import type { Stream } from '@libp2p/interface'
import {
  HEADS_EXCHANGE_TIMEOUT_MS,
  MAX_HEAD_FRAME_BYTES,
  frame,
  unframe,
  withFramedHeadExchange,
} from '../../src/node/framed-head-exchange.js'
import type { GroupSession } from '../../src/node/index.js'
import {
  cleanupDevices,
  connect,
  heal,
  openGroup,
  partition,
  startDevice,
  untilRead,
} from '../scenario/helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)

/** A stream's chunks. */
async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield await Promise.resolve(part)
}

/** The bytes of `messages`' frames, cut at `cuts` (offsets), as a stream's chunks would be. */
function cutInto(messages: Uint8Array[], cuts: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new Uint8ArrayList(...messages.map((message) => frame(message))).subarray()
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  return chunks(...[0, ...offsets].map((start, i) => bytes.subarray(start, offsets[i] ?? bytes.length)))
}

const collect = async (frames: AsyncIterable<Uint8Array>) => {
  const out: Uint8Array[] = []
  for await (const message of frames) out.push(message)
  return out
}

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    return isWeshError(error) ? error.code : error
  }
  return 'resolved'
}

describe('frames', () => {
  it('yields each message whole however the byte stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (messages, cuts) => {
          expect(await collect(unframe(cutInto(messages, cuts)))).toEqual(messages)
        },
      ),
    )
  })

  it('takes a frame at the limit and refuses one byte more before buffering it', async () => {
    const atLimit = new Uint8Array(MAX_HEAD_FRAME_BYTES)
    expect(await collect(unframe(cutInto([atLimit], [])))).toHaveLength(1)
    expect(() => frame(new Uint8Array(MAX_HEAD_FRAME_BYTES + 1))).toThrow(/over its limit/)
    const header = new Uint8Array(4)
    new DataView(header.buffer).setUint32(0, MAX_HEAD_FRAME_BYTES + 1)
    expect(await rejection(collect(unframe(chunks(header))))).toBe('MESSAGE_TOO_LARGE')
  })

  it('refuses a stream that ends inside a frame', async () => {
    const whole = frame(randomBytes(40)).subarray()
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: whole.length - 1 }), async (end) => {
        expect(await rejection(collect(unframe(chunks(whole.subarray(0, end)))))).toBe('MALFORMED_MESSAGE')
      }),
    )
  })
})

describe('withFramedHeadExchange', () => {
  it('carries heads sent back to back as separate messages, under its own protocol name', async () => {
    const [a, b] = await Promise.all([startDevice(), startDevice()])
    await connect(a, b)
    const viewA = withFramedHeadExchange(a.node.helia)
    const viewB = withFramedHeadExchange(b.node.helia)
    const received: string[][] = []
    let delivered!: () => void
    const done = new Promise<void>((resolve) => (delivered = resolve))
    await viewB.libp2p.handle('/orbitdb/heads/orbitdb/test', async (stream) => {
      const messages: string[] = []
      for await (const message of stream) messages.push(toHex(message.subarray()))
      received.push(messages)
      delivered()
    })
    expect(b.node.libp2p.getProtocols()).toContain('/wesh/heads/1.0.0/orbitdb/test')
    const heads = [randomBytes(900), randomBytes(700), randomBytes(1200)]
    const stream = await viewA.libp2p.dialProtocol(b.node.libp2p.peerId, '/orbitdb/heads/orbitdb/test')
    for (const head of heads) stream.send(head) // one write each, as OrbitDB does
    await stream.close()
    await done
    expect(received).toEqual([heads.map(toHex)])
    await viewB.libp2p.unhandle('/orbitdb/heads/orbitdb/test')
    expect(b.node.libp2p.getProtocols()).not.toContain('/wesh/heads/1.0.0/orbitdb/test')
  })

  // Real timers with a short deadline: faked timers would also freeze the real nodes' own, and hang under load.
  it(`aborts an exchange that is not over after its deadline (${HEADS_EXCHANGE_TIMEOUT_MS} ms by default), on both sides`, async () => {
    const [a, b] = await Promise.all([startDevice(), startDevice()])
    await connect(a, b)
    const deadline = { exchangeTimeoutMs: 300 }
    let accepted!: (stream: Stream) => void
    const inbound = new Promise<Stream>((resolve) => (accepted = resolve))
    // B takes the exchange and never answers nor closes: only the deadline ends it.
    await withFramedHeadExchange(b.node.helia, deadline).libp2p.handle(
      '/orbitdb/heads/orbitdb/silent',
      (stream) => {
        accepted(stream)
      },
    )
    const viewA = withFramedHeadExchange(a.node.helia, deadline)
    const outbound = await viewA.libp2p.dialProtocol(b.node.libp2p.peerId, '/orbitdb/heads/orbitdb/silent')
    const closed = (stream: Stream) =>
      new Promise<unknown>((resolve) =>
        stream.addEventListener('close', (event) => resolve(event.error), { once: true }),
      )
    const ends = [closed(outbound), closed(await inbound)]
    // Both ends run the deadline: whichever fires first aborts, the other sees the reset.
    const errors = await Promise.all(ends)
    expect(errors.some((error) => isWeshError(error, 'HEADS_EXCHANGE_TIMEOUT'))).toBe(true)
  })

  it('merges several heads at once: the member back from a partition reads what both others wrote', async () => {
    const [a, b, c] = await Promise.all([startDevice(), startDevice(), startDevice()])
    const { group, groupSeed } = createMultiMemberGroup()
    const sessions: GroupSession[] = [
      await openGroup(a, group, { groupSeed }),
      await openGroup(b, group),
      await openGroup(c, group),
    ]
    const [sessionA, sessionB, sessionC] = sessions as [GroupSession, GroupSession, GroupSession]
    await connect(b, a)
    await connect(c, a)
    await connect(c, b)
    await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.chainKeys.size >= 3)))
    await partition(c, a)
    await partition(c, b)
    // A and B write at the same time, so both hold two heads; C writes alone.
    await Promise.all([sessionA.send(text('from A')), sessionB.send(text('from B'))])
    await sessionC.send(text('from C, away'))
    await untilRead(sessionA, ['from A', 'from B'])
    await untilRead(sessionB, ['from A', 'from B'])
    await heal(c, a)
    await heal(c, b)
    const all = ['from A', 'from B', 'from C, away']
    const views = await Promise.all(sessions.map((s) => untilRead(s, all)))
    expect(new Set(views.map((view) => view.map((m) => m.id).join()))).toHaveProperty('size', 1)
  }, 120_000)
})
