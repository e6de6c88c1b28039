import { fromHex, randomBytes } from '@wesh/crypto'
import { accountGroup, createMultiMemberGroup, GroupType } from '@wesh/groups'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_REPLICATION_DEVICE_GRANT_BYTES,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH,
  ReplicationErrorCode,
  decodeReplicationDeviceGrant,
  encodeReplicationDeviceGrant,
  replicationDeviceGrant,
  replicationDeviceToken,
  replicationGroupOf,
} from '../src/index.js'
import { ReplicationDeviceGrant as PbGrant } from '../src/proto/replication.js'
import vectors from './vectors/replication-device.json' with { type: 'json' }

const runs = Number(process.env.FUZZ_RUNS ?? 1_000)
const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}
const { group: account } = accountGroup({ accountSeed: randomBytes(32), aliasSeed: randomBytes(32) })
const peerId = randomBytes(38)
const grant = replicationDeviceGrant(account, peerId)

describe('replication-device token', () => {
  it('matches the independent vectors (HKDF-SHA256 of the account secret and the replica peer ID)', () => {
    for (const vector of vectors.tokens) {
      expect(replicationDeviceToken(fromHex(vector.accountSecret), fromHex(vector.peerId)), vector.name).toBe(
        vector.token,
      )
    }
  })

  it('is one token per replica, between MIN_TOKEN_LENGTH and MAX_TOKEN_LENGTH characters', () => {
    expect(grant.token).toBe(replicationDeviceToken(account.secret, peerId))
    expect(replicationDeviceToken(account.secret, randomBytes(38))).not.toBe(grant.token)
    expect(grant.token.length).toBeGreaterThanOrEqual(MIN_TOKEN_LENGTH)
    expect(grant.token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH)
    expect(code(() => replicationDeviceToken(randomBytes(31), peerId))).toBe('INVALID_LENGTH')
    expect(code(() => replicationDeviceToken(account.secret, new Uint8Array(0)))).toBe('INVALID_LENGTH')
  })
})

describe('replication-device grant', () => {
  it('decodes the independent vector and encodes it back byte for byte', () => {
    const decoded = decodeReplicationDeviceGrant(fromHex(vectors.grant.bytes))
    expect(decoded).toEqual({
      accountGroup: {
        groupType: GroupType.ACCOUNT,
        publicKey: fromHex(vectors.grant.groupId),
        signPublicKey: fromHex(vectors.grant.signPub),
        linkKey: fromHex(vectors.grant.linkKey),
        linkKeySig: fromHex(vectors.grant.linkKeySig),
      },
      token: vectors.grant.token,
    })
    expect(encodeReplicationDeviceGrant(decoded)).toEqual(fromHex(vectors.grant.bytes))
  })

  it('round-trips, and carries the public part of the account group only', () => {
    expect(decodeReplicationDeviceGrant(encodeReplicationDeviceGrant(grant))).toEqual(grant)
    expect(grant.accountGroup).toEqual(replicationGroupOf(account))
    expect(Object.keys(grant.accountGroup).sort()).toEqual(
      ['groupType', 'linkKey', 'linkKeySig', 'publicKey', 'signPublicKey'].sort(),
    )
  })

  it('refuses another group type, a secret, a wrong link key and a token of the wrong length', () => {
    const multi = replicationGroupOf(createMultiMemberGroup().group)
    expect(code(() => replicationDeviceGrant(createMultiMemberGroup().group, peerId))).toBe(
      ReplicationErrorCode.MALFORMED_REQUEST,
    )
    expect(code(() => encodeReplicationDeviceGrant({ ...grant, accountGroup: multi }))).toBe(
      ReplicationErrorCode.MALFORMED_REQUEST,
    )
    const wire = (fields: Partial<PbGrant['accountGroup'] & object>, token = grant.token) =>
      PbGrant.encode({
        accountGroup: {
          publicKey: new Uint8Array(account.publicKey),
          groupType: GroupType.ACCOUNT,
          signPub: new Uint8Array(account.signPublicKey),
          linkKey: new Uint8Array(account.linkKey),
          linkKeySig: new Uint8Array(account.linkKeySig!),
          secret: new Uint8Array(0),
          secretSig: new Uint8Array(0),
          attachmentKey: new Uint8Array(0),
          ...fields,
        },
        token,
      })
    expect(decodeReplicationDeviceGrant(wire({}))).toEqual(grant)
    expect(code(() => decodeReplicationDeviceGrant(wire({ secret: new Uint8Array(account.secret) })))).toBe(
      ReplicationErrorCode.SECRET_REFUSED,
    )
    expect(
      code(() => decodeReplicationDeviceGrant(wire({ attachmentKey: new Uint8Array(randomBytes(32)) }))),
    ).toBe(ReplicationErrorCode.SECRET_REFUSED)
    expect(code(() => decodeReplicationDeviceGrant(wire({ linkKey: new Uint8Array(randomBytes(32)) })))).toBe(
      ReplicationErrorCode.INVALID_LINK_KEY_SIGNATURE,
    )
    expect(code(() => decodeReplicationDeviceGrant(wire({ groupType: GroupType.CONTACT })))).toBe(
      ReplicationErrorCode.MALFORMED_REQUEST,
    )
    expect(code(() => decodeReplicationDeviceGrant(PbGrant.encode({ token: grant.token })))).toBe(
      ReplicationErrorCode.MALFORMED_REQUEST,
    )
    // Tokens: MIN_TOKEN_LENGTH and MAX_TOKEN_LENGTH characters pass, one fewer and one more do not.
    for (const length of [MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH]) {
      expect(decodeReplicationDeviceGrant(wire({}, 't'.repeat(length))).token).toHaveLength(length)
    }
    for (const length of [MIN_TOKEN_LENGTH - 1, MAX_TOKEN_LENGTH + 1]) {
      expect(code(() => decodeReplicationDeviceGrant(wire({}, 't'.repeat(length))))).toBe(
        ReplicationErrorCode.MALFORMED_REQUEST,
      )
      expect(code(() => encodeReplicationDeviceGrant({ ...grant, token: 't'.repeat(length) }))).toBe(
        ReplicationErrorCode.MALFORMED_REQUEST,
      )
    }
  })

  it('reads grants up to MAX_REPLICATION_DEVICE_GRANT_BYTES, refuses one byte more before decoding', () => {
    const head = encodeReplicationDeviceGrant(grant)
    const filler = (length: number) => {
      // an unknown field 15 of type bytes: tag, two-byte length, payload
      const payload = length - 3
      return new Uint8Array([0x7a, (payload & 0x7f) | 0x80, payload >> 7, ...new Uint8Array(payload)])
    }
    const atLimit = new Uint8Array([...head, ...filler(MAX_REPLICATION_DEVICE_GRANT_BYTES - head.byteLength)])
    expect(atLimit.byteLength).toBe(MAX_REPLICATION_DEVICE_GRANT_BYTES)
    expect(decodeReplicationDeviceGrant(atLimit)).toEqual(grant)
    const over = new Uint8Array([
      ...head,
      ...filler(MAX_REPLICATION_DEVICE_GRANT_BYTES + 1 - head.byteLength),
    ])
    expect(code(() => decodeReplicationDeviceGrant(over))).toBe(ReplicationErrorCode.REQUEST_TOO_LARGE)
  })

  it('throws only typed errors on arbitrary and mutated bytes (fuzz)', () => {
    const valid = encodeReplicationDeviceGrant(grant)
    const typed = (bytes: Uint8Array) => {
      try {
        decodeReplicationDeviceGrant(bytes)
      } catch (error) {
        expect(Object.values(ReplicationErrorCode)).toContain((error as { code?: string }).code)
      }
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1_200 }), typed), { numRuns: runs })
    fc.assert(
      fc.property(fc.nat(valid.byteLength - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = new Uint8Array(valid)
        bytes[at] = value
        typed(bytes)
      }),
      { numRuns: runs },
    )
  })
})
