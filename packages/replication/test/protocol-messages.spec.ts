import { randomBytes } from '@wesh/crypto'
import { createMultiMemberGroup, encodeWire } from '@wesh/groups'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_REQUEST_BYTES,
  MAX_TOKEN_LENGTH,
  ReplicationErrorCode,
  decodeReplicationRequest,
  decodeReplicationResponse,
  encodeReplicationRequest,
  encodeReplicationResponse,
  replicationGroupOf,
} from '../src/index.js'
import { ReplicationRequest as PbRequest } from '../src/proto/replication.js'

const runs = Number(process.env.FUZZ_RUNS ?? 1_000)
const { group } = createMultiMemberGroup()
const publicPart = replicationGroupOf(group)
const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}

describe('replication requests', () => {
  it('round-trips add, remove and status', () => {
    const add = decodeReplicationRequest(
      encodeReplicationRequest({ kind: 'add', group: publicPart, token: 'tok' }),
    )
    expect(add).toEqual({ kind: 'add', group: publicPart, token: 'tok' })
    for (const kind of ['remove', 'status'] as const) {
      const decoded = decodeReplicationRequest(encodeReplicationRequest({ kind, groupId: group.publicKey }))
      expect(decoded).toEqual({ kind, groupId: group.publicKey })
    }
  })

  it('accepts a member pb(Group) with the secret fields left out: same field numbers', () => {
    const wire = encodeWire('Group', {
      publicKey: group.publicKey,
      groupType: group.groupType,
      signPub: group.signPublicKey,
      linkKey: group.linkKey,
      linkKeySig: group.linkKeySig!,
    })
    // kind = ADD (field 1), group = the member's bytes as an embedded message (field 2, varint length)
    expect(wire.byteLength).toBeGreaterThan(127)
    expect(wire.byteLength).toBeLessThan(16_384)
    const length = [(wire.byteLength & 0x7f) | 0x80, wire.byteLength >> 7]
    const bytes = new Uint8Array([0x08, 0x01, 0x12, ...length, ...wire])
    expect(decodeReplicationRequest(bytes)).toMatchObject({ kind: 'add', group: publicPart })
  })

  it('refuses a group that carries its secret', () => {
    const bytes = PbRequest.encode({
      kind: PbRequest.Kind.ADD,
      group: {
        publicKey: new Uint8Array(group.publicKey),
        groupType: group.groupType,
        signPub: new Uint8Array(group.signPublicKey),
        linkKey: new Uint8Array(group.linkKey),
        linkKeySig: new Uint8Array(group.linkKeySig!),
        secret: new Uint8Array(group.secret),
        secretSig: new Uint8Array(0),
        attachmentKey: new Uint8Array(0),
      },
      groupId: new Uint8Array(0),
      token: '',
    })
    expect(code(() => decodeReplicationRequest(bytes))).toBe(ReplicationErrorCode.SECRET_REFUSED)
  })

  it('refuses a link key its group key did not sign (wrong link key, wrong signature)', () => {
    const wrongKey = { ...publicPart, linkKey: randomBytes(32) }
    expect(code(() => encodeReplicationRequest({ kind: 'add', group: wrongKey }))).toBe(
      ReplicationErrorCode.INVALID_LINK_KEY_SIGNATURE,
    )
    const other = replicationGroupOf(createMultiMemberGroup().group)
    const wrongSig = { ...publicPart, linkKeySig: other.linkKeySig }
    expect(code(() => encodeReplicationRequest({ kind: 'add', group: wrongSig }))).toBe(
      ReplicationErrorCode.INVALID_LINK_KEY_SIGNATURE,
    )
  })

  it('takes tokens up to MAX_TOKEN_LENGTH characters, not one more', () => {
    const at = 'x'.repeat(MAX_TOKEN_LENGTH)
    const frame = encodeReplicationRequest({ kind: 'status', groupId: group.publicKey, token: at })
    expect(decodeReplicationRequest(frame)).toMatchObject({ token: at })
    expect(
      code(() => encodeReplicationRequest({ kind: 'status', groupId: group.publicKey, token: `${at}x` })),
    ).toBe(ReplicationErrorCode.MALFORMED_REQUEST)
  })

  it('reads frames up to MAX_REQUEST_BYTES, refuses one byte more before decoding', () => {
    const filler = (length: number) => {
      // an unknown field 15 of type bytes: tag, one- or two-byte length, payload
      const payload = length - 3
      return new Uint8Array([0x7a, (payload & 0x7f) | 0x80, payload >> 7, ...new Uint8Array(payload)])
    }
    const head = encodeReplicationRequest({ kind: 'status', groupId: group.publicKey })
    const atLimit = new Uint8Array([...head, ...filler(MAX_REQUEST_BYTES - head.byteLength)])
    expect(atLimit.byteLength).toBe(MAX_REQUEST_BYTES)
    expect(decodeReplicationRequest(atLimit)).toMatchObject({ kind: 'status' })
    const over = new Uint8Array([...head, ...filler(MAX_REQUEST_BYTES + 1 - head.byteLength)])
    expect(code(() => decodeReplicationRequest(over))).toBe(ReplicationErrorCode.REQUEST_TOO_LARGE)
  })

  it('throws only typed errors on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1_200 }), (bytes) => {
        try {
          decodeReplicationRequest(bytes)
        } catch (error) {
          expect(Object.values(ReplicationErrorCode)).toContain((error as { code?: string }).code)
        }
      }),
      { numRuns: runs },
    )
  })

  it('throws only typed errors on mutated valid frames (fuzz)', () => {
    const valid = encodeReplicationRequest({ kind: 'add', group: publicPart, token: 'tok' })
    fc.assert(
      fc.property(fc.nat(valid.byteLength - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = new Uint8Array(valid)
        bytes[at] = value
        try {
          decodeReplicationRequest(bytes)
        } catch (error) {
          expect(Object.values(ReplicationErrorCode)).toContain((error as { code?: string }).code)
        }
      }),
      { numRuns: runs },
    )
  })
})

describe('replication responses', () => {
  const status = {
    groupId: group.publicKey,
    groupType: group.groupType,
    metadata: { entries: 3, bytes: 900, heads: ['zdpuA'] },
    messages: { entries: 500, bytes: 150_000, heads: ['zdpuB', 'zdpuC'] },
    rejectedEntries: 1,
    paused: false,
  }

  it('round-trips a status and a typed error', () => {
    expect(decodeReplicationResponse(encodeReplicationResponse({ ok: true, status }))).toEqual({
      ok: true,
      status,
    })
    expect(decodeReplicationResponse(encodeReplicationResponse({ ok: true }))).toEqual({ ok: true })
    const refusal = {
      ok: false,
      code: ReplicationErrorCode.QUOTA_EXCEEDED,
      message: 'at most 1 groups',
    } as const
    expect(decodeReplicationResponse(encodeReplicationResponse(refusal))).toEqual(refusal)
  })

  it('reports an unknown error code from a replica as REPLICA_UNREACHABLE', () => {
    const bytes = encodeReplicationResponse({ ok: false, code: 'NOPE' as never, message: '' })
    expect(code(() => decodeReplicationResponse(bytes))).toBe(ReplicationErrorCode.REPLICA_UNREACHABLE)
  })

  it('throws only typed errors on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        try {
          decodeReplicationResponse(bytes)
        } catch (error) {
          expect((error as { code?: string }).code).toBe(ReplicationErrorCode.REPLICA_UNREACHABLE)
        }
      }),
      { numRuns: runs },
    )
  })
})
