import { toHex } from '@wesh/crypto'
import { createMultiMemberGroup } from '@wesh/groups'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_MAX_GROUPS,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH,
  ReplicationErrorCode,
  ReplicationTokens,
  groupIdFromHex,
  replicationGroupFromJson,
  replicationGroupOf,
  replicationGroupToJson,
  tokenHash,
} from '../src/index.js'

const runs = Number(process.env.FUZZ_RUNS ?? 1_000)
const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}

describe('tokens file', () => {
  const token = 'a-token-of-sixteen+'
  it('authenticates by token or by its SHA-256, with default quotas', () => {
    const tokens = ReplicationTokens.fromJSON({
      v: 1,
      tokens: [
        { name: 'alice', token, maxGroups: 2, maxBytes: 10 },
        { name: 'bob', sha256: toHex(tokenHash('bobs-token-0123456')) },
      ],
    })
    expect(tokens.authenticate(token)).toEqual({ name: 'alice', maxGroups: 2, maxBytes: 10 })
    expect(tokens.authenticate('bobs-token-0123456')).toMatchObject({
      name: 'bob',
      maxGroups: DEFAULT_MAX_GROUPS,
    })
    expect(tokens.authenticate('unknown-token-xxxx')).toBeUndefined()
    expect(tokens.authenticate(undefined)).toBeUndefined()
    expect(tokens.authenticate('x'.repeat(MAX_TOKEN_LENGTH + 1))).toBeUndefined()
  })

  it('never prints a token or its hash', () => {
    const tokens = ReplicationTokens.fromJSON({ v: 1, tokens: [{ name: 'alice', token }] })
    const printed = JSON.stringify(tokens)
    expect(printed).not.toContain(token)
    expect(printed).not.toContain(toHex(tokenHash(token)))
  })

  it('takes tokens of MIN_TOKEN_LENGTH to MAX_TOKEN_LENGTH characters only', () => {
    const file = (value: string) => ({ v: 1, tokens: [{ name: 'a', token: value }] })
    expect(ReplicationTokens.fromJSON(file('x'.repeat(MIN_TOKEN_LENGTH))).size).toBe(1)
    expect(ReplicationTokens.fromJSON(file('x'.repeat(MAX_TOKEN_LENGTH))).size).toBe(1)
    for (const bad of ['x'.repeat(MIN_TOKEN_LENGTH - 1), 'x'.repeat(MAX_TOKEN_LENGTH + 1)]) {
      expect(code(() => ReplicationTokens.fromJSON(file(bad)))).toBe(ReplicationErrorCode.INVALID_TOKENS_FILE)
    }
  })

  it('refuses malformed files with INVALID_TOKENS_FILE', () => {
    const bad: unknown[] = [
      null,
      [],
      { v: 2, tokens: [] },
      { v: 1 },
      { v: 1, tokens: [{ name: 'a', token, extra: 1 }] },
      {
        v: 1,
        tokens: [
          { name: 'a', token },
          { name: 'a', token: `${token}2` },
        ],
      },
      {
        v: 1,
        tokens: [
          { name: 'a', token },
          { name: 'b', token },
        ],
      },
      { v: 1, tokens: [{ name: 'a', token, sha256: toHex(tokenHash(token)) }] },
      { v: 1, tokens: [{ name: 'a', sha256: 'zz' }] },
      { v: 1, tokens: [{ name: 'a', token, maxGroups: -1 }] },
      { v: 1, tokens: [{ name: '@local', token }] },
    ]
    for (const file of bad) expect(code(() => ReplicationTokens.fromJSON(file))).toBe('INVALID_TOKENS_FILE')
  })
})

describe('JSON forms', () => {
  const { group } = createMultiMemberGroup()
  const publicPart = replicationGroupOf(group)

  it('round-trips a group', () => {
    expect(replicationGroupFromJson(replicationGroupToJson(publicPart))).toEqual(publicPart)
  })

  it('refuses secrets, unknown fields, bad hex and bad signatures with typed errors', () => {
    const json = replicationGroupToJson(publicPart)
    expect(code(() => replicationGroupFromJson({ ...json, secret: toHex(group.secret) }))).toBe(
      'SECRET_REFUSED',
    )
    expect(code(() => replicationGroupFromJson({ ...json, name: 'x' }))).toBe('MALFORMED_REQUEST')
    expect(code(() => replicationGroupFromJson({ ...json, linkKey: 'zz' }))).toBe('MALFORMED_REQUEST')
    expect(code(() => replicationGroupFromJson({ ...json, groupType: 0 }))).toBe('MALFORMED_REQUEST')
    const flipped = `${json.linkKey.slice(0, -1)}${json.linkKey.endsWith('0') ? '1' : '0'}`
    expect(code(() => replicationGroupFromJson({ ...json, linkKey: flipped }))).toBe(
      'INVALID_LINK_KEY_SIGNATURE',
    )
    expect(code(() => groupIdFromHex('00'))).toBe('MALFORMED_REQUEST')
    expect(groupIdFromHex(json.groupId)).toEqual(group.publicKey)
  })

  it('throws only typed errors on arbitrary JSON values (fuzz)', () => {
    const json = replicationGroupToJson(publicPart)
    const arbitraryGroup = fc.record({
      groupType: fc.oneof(fc.integer(), fc.string(), fc.constant(json.groupType)),
      groupId: fc.oneof(fc.string(), fc.constant(json.groupId)),
      signPub: fc.oneof(fc.string(), fc.constant(json.signPub)),
      linkKey: fc.oneof(fc.string(), fc.constant(json.linkKey)),
      linkKeySig: fc.oneof(fc.string(), fc.constant(json.linkKeySig)),
    })
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), arbitraryGroup), (value) => {
        try {
          replicationGroupFromJson(value)
        } catch (error) {
          expect(Object.values(ReplicationErrorCode)).toContain((error as { code?: string }).code)
        }
      }),
      { numRuns: runs },
    )
  })
})
