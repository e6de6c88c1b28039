import { fromBase64Url, randomBytes, sign, toBase64Url, verify } from '@wesh/crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AccountKeys,
  GroupType,
  MAX_INVITATION_BYTES,
  MAX_LINK_CHARS,
  accountGroup,
  contactCardLink,
  contactGroup,
  createMultiMemberGroup,
  decodeWire,
  deriveContactGroup,
  deriveMemberKeySeed,
  encodeContactCard,
  encodeInvitation,
  encodeWire,
  invitationLink,
  memberKeySeed,
  parseContactCard,
  parseContactCardLink,
  parseInvitation,
  parseInvitationLink,
} from '../src/index.js'
import { FUZZ_RUNS, expectCode } from './helpers.js'

describe('groups', () => {
  it('creates a multi-member group whose signatures verify under the group key', () => {
    const { group, groupSeed } = createMultiMemberGroup()
    expect(group.groupType).toBe(GroupType.MULTI_MEMBER)
    expect(verify(group.publicKey, group.secret, group.secretSig ?? new Uint8Array(64))).toBe(true)
    expect(verify(group.publicKey, group.linkKey, group.linkKeySig ?? new Uint8Array(64))).toBe(true)
    expect(groupSeed).toHaveLength(32)
    expect(group.attachmentKey).not.toEqual(createMultiMemberGroup().group.attachmentKey)
  })

  it('derives the same contact group on both sides', () => {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const fromAlice = contactGroup(alice.accountSeed(), bob.accountId)
    const fromBob = contactGroup(bob.accountSeed(), alice.accountId)
    expect(fromAlice).toEqual(fromBob)
    expect(fromAlice.group.groupType).toBe(GroupType.CONTACT)
    expect(fromAlice.group.secretSig).toBeUndefined()
    expect(
      verify(
        fromAlice.group.publicKey,
        fromAlice.group.linkKey,
        fromAlice.group.linkKeySig ?? new Uint8Array(64),
      ),
    ).toBe(true)
    expect(deriveContactGroup(alice.accountSeed(), bob.accountId).publicKey).toEqual(
      fromAlice.group.publicKey,
    )
    expect(contactGroup(alice.accountSeed(), AccountKeys.create().accountId).group.publicKey).not.toEqual(
      fromAlice.group.publicKey,
    )
  })

  it('makes the account group from the account and alias keys', () => {
    const account = AccountKeys.create()
    const { group } = accountGroup({ accountSeed: account.accountSeed(), aliasSeed: account.aliasSeed() })
    expect(group.publicKey).toEqual(account.accountId)
    expect(group.secret).toEqual(account.aliasSeed())
    expect(group.signPublicKey).toEqual(account.aliasPublicKey)
    expect(
      memberKeySeed(group, { accountSeed: account.accountSeed(), aliasSeed: account.aliasSeed() }),
    ).toEqual(account.accountSeed())
  })

  it('gives every device of an account the same member key in a multi-member group', () => {
    const account = AccountKeys.create()
    const linked = AccountKeys.fromState(account.exportState({ device: false }))
    const { group } = createMultiMemberGroup()
    const keysOf = (a: AccountKeys) => ({ accountSeed: a.accountSeed(), aliasSeed: a.aliasSeed() })
    expect(memberKeySeed(group, keysOf(account))).toEqual(memberKeySeed(group, keysOf(linked)))
    expect(memberKeySeed(group, keysOf(account))).toEqual(
      deriveMemberKeySeed(account.aliasSeed(), group.publicKey),
    )
  })

  it('rejects low-order and non-point peer keys', () => {
    const seed = randomBytes(32)
    expectCode(() => deriveContactGroup(seed, new Uint8Array(32)), 'WEAK_KEY')
    expectCode(() => deriveContactGroup(seed, new Uint8Array(32).fill(0xff)), 'INVALID_ARGUMENT')
  })
})

describe('invitations', () => {
  const { group, groupSeed } = createMultiMemberGroup()

  it('round-trip as protobuf and as a wesh://group/ link', () => {
    expect(parseInvitation(encodeInvitation(group))).toEqual(group)
    const link = invitationLink(group)
    expect(link.startsWith('wesh://group/')).toBe(true)
    expect(parseInvitationLink(link)).toEqual(group)
  })

  it('leave sign_pub out, and accept it when it is the derived one', () => {
    expect(decodeWire('Group', encodeInvitation(group)).signPub).toHaveLength(0)
    const withSignPub = { ...decodeWire('Group', encodeInvitation(group)), signPub: group.signPublicKey }
    expect(parseInvitation(encodeWire('Group', withSignPub))).toEqual(group)
  })

  it('derive the attachment key and link key when a reference invitation leaves them out', () => {
    const fields = decodeWire('Group', encodeInvitation(group))
    const parsed = parseInvitation(
      encodeWire('Group', {
        ...fields,
        attachmentKey: new Uint8Array(0),
        linkKey: new Uint8Array(0),
        linkKeySig: new Uint8Array(0),
      }),
    )
    expect(parsed.linkKey).toEqual(group.linkKey)
    expect(parsed.linkKeySig).toBeUndefined()
    expect(parsed.attachmentKey).toHaveLength(32)
  })

  const fields = () => decodeWire('Group', encodeInvitation(group))
  const badInvitations: [string, () => Uint8Array][] = [
    [
      'a bad secret_sig',
      () => encodeWire('Group', { ...fields(), secretSig: sign(randomBytes(32), group.secret) }),
    ],
    [
      'a missing secret_sig on a multi-member group',
      () => encodeWire('Group', { ...fields(), secretSig: new Uint8Array(0) }),
    ],
    [
      'a bad link_key_sig',
      () => encodeWire('Group', { ...fields(), linkKeySig: sign(groupSeed, randomBytes(32)) }),
    ],
    [
      'a link_key other than the derived one',
      () => encodeWire('Group', { ...fields(), linkKey: randomBytes(32) }),
    ],
    [
      'a sign_pub other than the derived one',
      () => encodeWire('Group', { ...fields(), signPub: randomBytes(32) }),
    ],
    [
      'a short public_key',
      () => encodeWire('Group', { ...fields(), publicKey: group.publicKey.subarray(1) }),
    ],
    [
      'a public_key that is no curve point',
      () => encodeWire('Group', { ...fields(), publicKey: new Uint8Array(32).fill(0xff) }),
    ],
    ['a long secret', () => encodeWire('Group', { ...fields(), secret: new Uint8Array(33) })],
    ['a short attachment key', () => encodeWire('Group', { ...fields(), attachmentKey: new Uint8Array(31) })],
    ['an undefined group type', () => encodeWire('Group', { ...fields(), groupType: 0 })],
    ['an unknown group type', () => encodeWire('Group', { ...fields(), groupType: 4 })],
    ['truncated bytes', () => encodeInvitation(group).subarray(0, 50)],
    ['oversized bytes', () => new Uint8Array(MAX_INVITATION_BYTES + 1)],
  ]
  it.each(badInvitations)('reject %s with INVALID_INVITATION', (_, make) => {
    expectCode(() => parseInvitation(make()), 'INVALID_INVITATION')
  })

  it.each([
    ['another scheme', 'wesh://contact/AAAA'],
    ['bad base64url', 'wesh://group/%%%'],
    ['an empty body', 'wesh://group/'],
    ['an over-long link', 'wesh://group/' + 'A'.repeat(MAX_LINK_CHARS)],
  ])('reject a malformed link (%s) with INVALID_INVITATION', (_, link) => {
    expectCode(() => parseInvitationLink(link), 'INVALID_INVITATION')
  })

  it('accept a link of exactly MAX_LINK_CHARS characters up to the decoder', () => {
    // The body decodes to more than MAX_INVITATION_BYTES, so the link passes the length check and fails later.
    const link = 'wesh://group/' + 'A'.repeat(MAX_LINK_CHARS - 'wesh://group/'.length)
    expect(link).toHaveLength(MAX_LINK_CHARS)
    expectCode(() => parseInvitationLink(link), 'INVALID_INVITATION')
  })

  it('reject any mutation of a valid invitation or decode it to a valid group', () => {
    const bytes = encodeInvitation(group)
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const mutated = new Uint8Array(bytes)
        mutated[index] = (mutated[index] ?? 0) ^ xor
        try {
          const parsed = parseInvitation(mutated)
          expect(verify(parsed.publicKey, parsed.secret, parsed.secretSig ?? new Uint8Array(64))).toBe(true)
        } catch (error) {
          expect((error as { code?: string }).code).toBe('INVALID_INVITATION')
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})

describe('contact cards', () => {
  const account = AccountKeys.create()
  const card = {
    accountId: account.accountId,
    publicRendezvousSeed: account.publicRendezvousSeed(),
    metadata: new TextEncoder().encode('Alice'),
  }

  it('round-trip as protobuf and as a wesh://contact/ link', () => {
    expect(parseContactCard(encodeContactCard(card))).toEqual(card)
    expect(parseContactCardLink(contactCardLink(card))).toEqual(card)
  })

  it.each([
    ['a short account key', { ...card, accountId: card.accountId.subarray(1) }],
    ['a long seed', { ...card, publicRendezvousSeed: new Uint8Array(33) }],
  ])('reject %s with INVALID_CONTACT_CARD', (_, bad) => {
    const bytes = encodeWire('ShareableContact', {
      pk: bad.accountId,
      publicRendezvousSeed: bad.publicRendezvousSeed,
      metadata: bad.metadata,
    })
    expectCode(() => parseContactCard(bytes), 'INVALID_CONTACT_CARD')
  })

  it('rejects malformed links with INVALID_CONTACT_CARD', () => {
    expectCode(
      () => parseContactCardLink('wesh://group/' + toBase64Url(encodeContactCard(card))),
      'INVALID_CONTACT_CARD',
    )
    expectCode(() => parseContactCardLink('wesh://contact/@@'), 'INVALID_CONTACT_CARD')
    const link = contactCardLink(card)
    expect(fromBase64Url(link.slice('wesh://contact/'.length))).toEqual(encodeContactCard(card))
  })

  it('refuses metadata that would not fit a handshake frame', () => {
    expectCode(() => encodeContactCard({ ...card, metadata: new Uint8Array(2048) }), 'MESSAGE_TOO_LARGE')
  })
})
