import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BleError, BleErrorCode, MAX_FRAME_BYTES, WINDOW_PACKETS } from '../src/index.js'
import {
  ACK_PACKET_BYTES,
  FIRST_HEADER_BYTES,
  FrameAssembler,
  ResetReason,
  decodePacket,
  encodePacket,
  seqAdd,
  seqDiff,
  type Packet,
} from '../src/packet.js'

const runs = Number(process.env.FUZZ_RUNS ?? 2_000)
const MAX_PACKET = 182

function codeOf(attempt: () => unknown): string | undefined {
  try {
    attempt()
  } catch (error) {
    expect(error).toBeInstanceOf(BleError)
    return (error as BleError).code
  }
  return undefined
}

const packetArbitrary: fc.Arbitrary<Packet> = fc.oneof(
  fc
    .record({
      seq: fc.integer({ min: 0, max: 0xffff }),
      first: fc.boolean(),
      payload: fc.uint8Array({ minLength: 1, maxLength: MAX_PACKET - FIRST_HEADER_BYTES }),
      extra: fc.integer({ min: 0, max: 1000 }),
    })
    .map(({ seq, first, payload, extra }) => ({
      type: 'data' as const,
      seq,
      frameLength: first ? Math.min(MAX_FRAME_BYTES, payload.length + extra) : undefined,
      payload,
    })),
  fc.integer({ min: 0, max: 0xffff }).map((seq) => ({ type: 'fin' as const, seq })),
  fc
    .record({
      next: fc.integer({ min: 0, max: 0xffff }),
      credit: fc.integer({ min: 0, max: WINDOW_PACKETS }),
      sack: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    })
    .map((ack) => ({ type: 'ack' as const, ...ack })),
  fc.constantFrom(ResetReason.ABORTED, ResetReason.FRAME_INVALID, ResetReason.TIMEOUT).map((reason) => ({
    type: 'reset' as const,
    reason,
  })),
  fc.constant({ type: 'probe' as const }),
)

describe('packet codec', () => {
  it('round-trips every valid packet', () => {
    fc.assert(
      fc.property(packetArbitrary, (packet) => {
        expect(decodePacket(encodePacket(packet), MAX_PACKET)).toEqual(packet)
      }),
      { numRuns: runs },
    )
  })

  it('throws only BleError on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_PACKET + 4 }), (bytes) => {
        try {
          decodePacket(bytes, MAX_PACKET)
        } catch (error) {
          expect(error).toBeInstanceOf(BleError)
          expect([BleErrorCode.BLE_FRAME_INVALID, BleErrorCode.BLE_FRAME_TOO_LARGE]).toContain(
            (error as BleError).code,
          )
        }
      }),
      { numRuns: runs },
    )
  })

  it('throws only BleError when mutating valid packets (fuzz)', () => {
    fc.assert(
      fc.property(packetArbitrary, fc.nat(), fc.integer({ min: 0, max: 255 }), (packet, at, value) => {
        const bytes = encodePacket(packet)
        bytes[at % bytes.length] = value
        codeOf(() => decodePacket(bytes, MAX_PACKET))
      }),
      { numRuns: runs },
    )
  })

  it(`accepts a frame length of MAX_FRAME_BYTES (${MAX_FRAME_BYTES}) and refuses one more`, () => {
    const at = (frameLength: number) =>
      encodePacket({ type: 'data', seq: 0, frameLength, payload: new Uint8Array(1) })
    expect(decodePacket(at(MAX_FRAME_BYTES), MAX_PACKET)).toMatchObject({ frameLength: MAX_FRAME_BYTES })
    expect(codeOf(() => decodePacket(at(MAX_FRAME_BYTES + 1), MAX_PACKET))).toBe(
      BleErrorCode.BLE_FRAME_TOO_LARGE,
    )
  })

  it('accepts a packet of maxPacketBytes and refuses one more', () => {
    const packet = (n: number) =>
      encodePacket({ type: 'data', seq: 0, frameLength: undefined, payload: new Uint8Array(n - 3) })
    expect(codeOf(() => decodePacket(packet(MAX_PACKET), MAX_PACKET))).toBeUndefined()
    expect(codeOf(() => decodePacket(packet(MAX_PACKET + 1), MAX_PACKET))).toBe(
      BleErrorCode.BLE_FRAME_TOO_LARGE,
    )
  })

  it(`accepts an ACK credit of WINDOW_PACKETS (${WINDOW_PACKETS}) and refuses one more`, () => {
    const ack = encodePacket({ type: 'ack', next: 0, credit: WINDOW_PACKETS, sack: 0n })
    expect(codeOf(() => decodePacket(ack, MAX_PACKET))).toBeUndefined()
    ack[3] = WINDOW_PACKETS + 1
    expect(codeOf(() => decodePacket(ack, MAX_PACKET))).toBe(BleErrorCode.BLE_FRAME_INVALID)
  })

  it('refuses packets of the wrong length, unknown types and flags', () => {
    const invalid = [
      new Uint8Array(0),
      Uint8Array.of(0x02, 0, 0), // short ACK
      new Uint8Array(ACK_PACKET_BYTES + 1).fill(0).map((_, i) => (i === 0 ? 2 : 0)), // long ACK
      Uint8Array.of(0x21, 0, 0, 9), // FIN with payload
      Uint8Array.of(0x11, 0, 0, 0, 0, 0, 1), // first fragment without payload
      Uint8Array.of(0x01, 0, 0), // fragment without payload
      Uint8Array.of(0x31, 0, 0, 1), // FIRST and FIN together
      Uint8Array.of(0x03, 9), // unknown reset reason
      Uint8Array.of(0x04, 0), // long probe
      Uint8Array.of(0x14), // probe with flags
      Uint8Array.of(0x09), // unknown type
      Uint8Array.of(0x11, 0, 0, 0, 0, 0, 1, 1, 2), // fragment longer than its frame
    ]
    for (const bytes of invalid)
      expect(codeOf(() => decodePacket(bytes, MAX_PACKET))).toBe(BleErrorCode.BLE_FRAME_INVALID)
  })

  it('compares sequence numbers across the 16-bit wrap', () => {
    expect(seqDiff(1, 0xffff)).toBe(2)
    expect(seqDiff(0xffff, 1)).toBe(-2)
    expect(seqAdd(0xffff, 2)).toBe(1)
    expect(seqDiff(0x8000 - 1, 0)).toBe(0x7fff)
  })
})

describe('FrameAssembler', () => {
  it('reassembles any frame cut into any fragments', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 50 }),
        (frame, cuts) => {
          const assembler = new FrameAssembler()
          let offset = 0
          let out: Uint8Array | undefined
          for (let i = 0; offset < frame.length; i++) {
            const size = cuts[i % cuts.length]!
            const payload = frame.subarray(offset, offset + size)
            out = assembler.push({ frameLength: offset === 0 ? frame.length : undefined, payload })
            offset += payload.length
            if (offset < frame.length) expect(out).toBeUndefined()
          }
          expect(out).toEqual(frame)
          expect(assembler.midFrame).toBe(false)
        },
      ),
      { numRuns: Math.ceil(runs / 4) },
    )
  })

  it('refuses a new frame before the previous one is complete, and overlong or orphan fragments', () => {
    const one = Uint8Array.of(1)
    const a = new FrameAssembler()
    a.push({ frameLength: 3, payload: one })
    expect(codeOf(() => a.push({ frameLength: 3, payload: one }))).toBe(BleErrorCode.BLE_FRAME_INVALID)
    const b = new FrameAssembler()
    b.push({ frameLength: 2, payload: one })
    expect(codeOf(() => b.push({ frameLength: undefined, payload: Uint8Array.of(1, 2) }))).toBe(
      BleErrorCode.BLE_FRAME_INVALID,
    )
    expect(codeOf(() => new FrameAssembler().push({ frameLength: undefined, payload: one }))).toBe(
      BleErrorCode.BLE_FRAME_INVALID,
    )
  })
})
