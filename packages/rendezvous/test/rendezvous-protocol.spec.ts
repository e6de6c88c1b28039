import { isWeshError } from '@wesh/crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RendezvousMessage } from '../src/index.js'
import {
  decodeRequest,
  decodeResponse,
  encodeMessage,
  MAX_DISCOVER_LIMIT,
  MAX_REQUEST_BYTES,
  MessageType,
  RendezvousService,
  ResponseStatus,
} from '../src/index.js'

// Over 10 000 fuzz cases in CI (3 properties x 3 400 + 680 round trips); FUZZ_RUNS scales each property.
const RUNS = Number(process.env.FUZZ_RUNS ?? 3_400)

function malformedCode(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isWeshError(error)) return error.code
    throw error
  }
  return 'none'
}

function registerOfSize(total: number): Uint8Array {
  for (let length = total; length > 0; length--) {
    const bytes = encodeMessage({
      type: MessageType.REGISTER,
      register: { signedPeerRecord: new Uint8Array(length) },
    })
    if (bytes.byteLength === total) return bytes
  }
  throw new Error('no such size')
}

describe('rendezvous message codec', () => {
  it('encodes type REGISTER (0) and status OK (0) explicitly, as the spec proto2 message does', () => {
    const bytes = encodeMessage({ type: MessageType.REGISTER, register: { ns: 'a' } })
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x00])
    const response = encodeMessage({
      type: MessageType.REGISTER_RESPONSE,
      registerResponse: { status: ResponseStatus.OK },
    })
    expect([...response]).toEqual([0x08, 0x01, 0x1a, 0x02, 0x08, 0x00])
  })

  it('decodes a request frame of MAX_REQUEST_BYTES and rejects one byte more', () => {
    expect(decodeRequest(registerOfSize(MAX_REQUEST_BYTES)).type).toBe('REGISTER')
    expect(malformedCode(() => decodeRequest(registerOfSize(MAX_REQUEST_BYTES + 1)))).toBe(
      'RENDEZVOUS_MALFORMED_MESSAGE',
    )
  })

  it('decodes a DISCOVER_RESPONSE of 1 000 registrations and rejects 1 001', () => {
    const page = (n: number) =>
      encodeMessage({
        type: MessageType.DISCOVER_RESPONSE,
        discoverResponse: { registrations: Array.from({ length: n }, () => ({ ns: 'x' })) },
      })
    const decoded = decodeResponse(page(MAX_DISCOVER_LIMIT))
    expect(decoded.type === 'DISCOVER_RESPONSE' && decoded.registrations.length).toBe(MAX_DISCOVER_LIMIT)
    expect(malformedCode(() => decodeResponse(page(MAX_DISCOVER_LIMIT + 1)))).toBe(
      'RENDEZVOUS_MALFORMED_MESSAGE',
    )
  })

  it('rejects bodiless requests, responses sent as requests, unknown enum values and cut frames', () => {
    const code = 'RENDEZVOUS_MALFORMED_MESSAGE'
    expect(malformedCode(() => decodeRequest(encodeMessage({ type: MessageType.REGISTER })))).toBe(code)
    expect(malformedCode(() => decodeRequest(encodeMessage({ type: MessageType.DISCOVER })))).toBe(code)
    expect(malformedCode(() => decodeRequest(encodeMessage({ type: MessageType.UNREGISTER })))).toBe(code)
    const response = encodeMessage({ type: MessageType.REGISTER_RESPONSE, registerResponse: {} })
    expect(malformedCode(() => decodeRequest(response))).toBe(code)
    expect(
      malformedCode(() => decodeResponse(encodeMessage({ type: MessageType.DISCOVER, discover: {} }))),
    ).toBe(code)
    expect(malformedCode(() => decodeRequest(Uint8Array.of(0x08, 0x09)))).toBe(code) // type 9 does not exist
    const whole = encodeMessage({ type: MessageType.DISCOVER, discover: { ns: 'namespace' } })
    expect(malformedCode(() => decodeRequest(whole.subarray(0, whole.length - 2)))).toBe(code)
    expect(malformedCode(() => decodeRequest(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))).toBe(code)
  })

  it('round-trips every well-formed request (property)', () => {
    const ns = fc.string({ maxLength: 40 })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            type: fc.constant(MessageType.REGISTER),
            register: fc.record({
              ns,
              signedPeerRecord: fc.uint8Array({ maxLength: 300 }),
              ttl: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
            }),
          }),
          fc.record({ type: fc.constant(MessageType.UNREGISTER), unregister: fc.record({ ns }) }),
          fc.record({
            type: fc.constant(MessageType.DISCOVER),
            discover: fc.record({
              ns,
              limit: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
              cookie: fc.uint8Array({ maxLength: 64 }),
            }),
          }),
        ),
        (message: RendezvousMessage) => {
          const decoded = decodeRequest(encodeMessage(message))
          expect(decoded.type).toBe(message.type)
        },
      ),
      { numRuns: Math.round(RUNS / 5) },
    )
  })

  it('never throws anything but RENDEZVOUS_MALFORMED_MESSAGE on random request bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const code = malformedCode(() => decodeRequest(bytes))
        expect(['none', 'RENDEZVOUS_MALFORMED_MESSAGE']).toContain(code)
      }),
      { numRuns: RUNS },
    )
  })

  it('never throws anything but RENDEZVOUS_MALFORMED_MESSAGE on random response bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const code = malformedCode(() => decodeResponse(bytes))
        expect(['none', 'RENDEZVOUS_MALFORMED_MESSAGE']).toContain(code)
      }),
      { numRuns: RUNS },
    )
  })

  it('answers every decodable request with a spec status and never throws (fuzz)', async () => {
    const remote = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const service = new RendezvousService({ minTtl: 1 })
    const statuses = new Set(Object.values(ResponseStatus))
    // Mutations of valid frames reach deeper than random bytes.
    const valid = [
      encodeMessage({
        type: MessageType.REGISTER,
        register: { ns: 'n', signedPeerRecord: new Uint8Array(40), ttl: 60n },
      }),
      encodeMessage({
        type: MessageType.DISCOVER,
        discover: { ns: 'n', limit: 5n, cookie: new Uint8Array(13) },
      }),
      encodeMessage({ type: MessageType.UNREGISTER, unregister: { ns: 'n' } }),
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        async (frame, flips) => {
          const bytes = frame.slice()
          for (const [at, value] of flips) bytes[at % bytes.length] = value
          let request
          try {
            request = decodeRequest(bytes)
          } catch (error) {
            expect(isWeshError(error, 'RENDEZVOUS_MALFORMED_MESSAGE')).toBe(true)
            return
          }
          const response = await service.handle(remote, request)
          const status = response?.registerResponse?.status ?? response?.discoverResponse?.status
          if (request.type === 'UNREGISTER') expect(response).toBeUndefined()
          else expect(statuses.has(status!)).toBe(true)
        },
      ),
      { numRuns: RUNS },
    )
  })
})
