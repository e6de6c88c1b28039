import { isWeshError } from '@wesh/crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_HEADER_METADATA_ENTRIES,
  MAX_POLL_OPTIONS,
  WIRE_MAX_BYTES,
  WIRE_MESSAGE_NAMES,
  decodeWire,
  encodeWire,
} from '../src/index.js'
import { FUZZ_RUNS, expectCode, paddedProtobuf } from './helpers.js'

describe('wire messages', () => {
  it.each(WIRE_MESSAGE_NAMES.map((name) => [name]))(
    '%s decodes at its size limit and refuses one byte more',
    (name) => {
      const max = WIRE_MAX_BYTES[name]
      expect(() => decodeWire(name, paddedProtobuf(max))).not.toThrow()
      expectCode(() => decodeWire(name, paddedProtobuf(max + 1)), 'MESSAGE_TOO_LARGE')
    },
  )

  it.each(WIRE_MESSAGE_NAMES.map((name) => [name]))(
    '%s never throws anything but a WeshError on random bytes',
    (name) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            decodeWire(name, bytes)
          } catch (error) {
            if (!isWeshError(error)) throw error
            expect(['MALFORMED_MESSAGE', 'MESSAGE_TOO_LARGE']).toContain(error.code)
          }
        }),
        { numRuns: FUZZ_RUNS },
      )
    },
  )

  it('rejects truncated input as MALFORMED_MESSAGE', () => {
    const bytes = encodeWire('SignedEntry', {
      payload: new Uint8Array(40).fill(7),
      sig: new Uint8Array(64).fill(1),
    })
    for (let length = 1; length < bytes.length; length++) {
      if (length === 42) continue // a whole first field: a valid, shorter message
      expectCode(() => decodeWire('SignedEntry', bytes.subarray(0, length)), 'MALFORMED_MESSAGE')
    }
  })

  it('rejects a bad wire type as MALFORMED_MESSAGE', () => {
    expectCode(() => decodeWire('Group', Uint8Array.of(0x0f)), 'MALFORMED_MESSAGE')
  })

  it('round-trips every field of a MessageHeaders, with 64-bit counters', () => {
    const value = {
      counter: 2n ** 53n - 1n,
      devicePk: new Uint8Array(32).fill(3),
      sig: new Uint8Array(64).fill(4),
      metadata: new Map([['k', 'v']]),
    }
    expect(decodeWire('MessageHeaders', encodeWire('MessageHeaders', value))).toEqual(value)
  })

  it(`accepts ${MAX_HEADER_METADATA_ENTRIES} header metadata entries and refuses one more`, () => {
    const entries = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'] as const))
    const at = encodeWire('MessageHeaders', { metadata: entries(MAX_HEADER_METADATA_ENTRIES) })
    expect(decodeWire('MessageHeaders', at).metadata.size).toBe(MAX_HEADER_METADATA_ENTRIES)
    const over = encodeWire('MessageHeaders', { metadata: entries(MAX_HEADER_METADATA_ENTRIES + 1) })
    expectCode(() => decodeWire('MessageHeaders', over), 'MALFORMED_MESSAGE')
  })

  it(`accepts ${MAX_POLL_OPTIONS} poll options on the wire and refuses one more`, () => {
    const poll = (n: number) =>
      encodeWire('WeshAppEvent', { pollCreated: { options: Array.from({ length: n }, (_, i) => `o${i}`) } })
    expect(decodeWire('WeshAppEvent', poll(MAX_POLL_OPTIONS)).pollCreated?.options).toHaveLength(
      MAX_POLL_OPTIONS,
    )
    expectCode(() => decodeWire('WeshAppEvent', poll(MAX_POLL_OPTIONS + 1)), 'MALFORMED_MESSAGE')
  })

  it('refuses to encode past a message limit', () => {
    expectCode(
      () => encodeWire('DeviceChainKey', { chainKey: new Uint8Array(WIRE_MAX_BYTES.DeviceChainKey) }),
      'MESSAGE_TOO_LARGE',
    )
  })

  it('writes proto3 defaults as nothing', () => {
    expect(encodeWire('DeviceChainKey', { chainKey: new Uint8Array(0), counter: 0n })).toEqual(
      new Uint8Array(0),
    )
  })
})
