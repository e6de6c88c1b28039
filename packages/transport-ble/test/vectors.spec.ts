import { readFileSync } from 'node:fs'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { BleError, bleMultiaddr } from '../src/index.js'
import { decodePacket, encodePacket, type Packet } from '../src/packet.js'

interface WireVectors {
  maxPacketBytes: number
  valid: { name: string; packet: Record<string, string | number>; bytes: string }[]
  invalid: { name: string; bytes: string; code: string }[]
  multiaddrs: { string: string; bytes: string }[]
}

// Written by tooling/vectors/transport-ble.py (Python's struct, not this code).
const vectors = JSON.parse(readFileSync(new URL('vectors/wire.json', import.meta.url), 'utf8')) as WireVectors
const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16))
const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

function packetOf(fields: Record<string, string | number>): Packet {
  switch (fields.type) {
    case 'data':
      return {
        type: 'data',
        seq: Number(fields.seq),
        frameLength: fields.frameLength === undefined ? undefined : Number(fields.frameLength),
        payload: hex(String(fields.payload)),
      }
    case 'fin':
      return { type: 'fin', seq: Number(fields.seq) }
    case 'ack':
      return {
        type: 'ack',
        next: Number(fields.next),
        credit: Number(fields.credit),
        sack: BigInt(fields.sack!),
      }
    case 'reset':
      return { type: 'reset', reason: Number(fields.reason) as 0 | 1 | 2 }
    default:
      return { type: 'probe' }
  }
}

describe('wire vectors (independent Python encoder)', () => {
  it.each(vectors.valid)('encodes and decodes: $name', ({ packet, bytes }) => {
    const expected = packetOf(packet)
    expect(toHex(encodePacket(expected))).toBe(bytes)
    expect(decodePacket(hex(bytes), vectors.maxPacketBytes)).toEqual(expected)
  })

  it.each(vectors.invalid)('refuses: $name', ({ bytes, code }) => {
    let caught: unknown
    try {
      decodePacket(hex(bytes), vectors.maxPacketBytes)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(BleError)
    expect((caught as BleError).code).toBe(code)
  })

  it.each(vectors.multiaddrs)('encodes the multiaddr $string', ({ string, bytes }) => {
    bleMultiaddr('registered') // registers /ble
    expect(toHex(multiaddr(string).bytes)).toBe(bytes)
    expect(multiaddr(hex(bytes)).toString()).toBe(string)
  })
})
