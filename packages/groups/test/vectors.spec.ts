import { readFileSync } from 'node:fs'
import { fromHex, toHex } from '@wesh/crypto'
import { RatchetReceiver, RatchetSender } from '@wesh/ratchet'
import { describe, expect, it } from 'vitest'
import {
  openAttachment,
  sealAttachment,
  type GroupEventInput,
  accountGroup,
  createMultiMemberGroup,
  decodeRequesterAcknowledge,
  decodeHello,
  deriveAttachmentKey,
  deriveContactGroup,
  deriveLinkKey,
  deriveMemberKeySeed,
  deriveSignPublicKey,
  encodeContactCard,
  encodeHello,
  encodeInvitation,
  encodeRequesterAcknowledge,
  contactCardLink,
  contactGroup,
  decodeWire,
  entrySigningInput,
  invitationLink,
  openDeviceChainKey,
  openGroupEvent,
  openMessage,
  openRequesterAuthenticate,
  openResponderAccept,
  parseContactCardLink,
  parseInvitationLink,
  requesterHandshakeKeys,
  responderHandshakeKeys,
  sealDeviceChainKey,
  sealGroupEvent,
  sealMessage,
  sealRequesterAuthenticate,
  sealResponderAccept,
  signEntry,
  verifyEntry,
} from '../src/index.js'

// Produced by tooling/vectors/groups.py (Python: libsodium, `cryptography`, a hand-written protobuf encoder),
// never by this package.
type Hex = string
type Case = Record<string, Hex> & { name: string }
const vectors = JSON.parse(readFileSync(new URL('./vectors/groups.json', import.meta.url), 'utf8')) as {
  generator: string
  contactGroups: Case[]
  memberKeys: Case[]
  groupKeys: Case[]
  groups: (Case & { groupType: number; link: string })[]
  contactCards: (Case & { link: string })[]
  chainKeyBoxes: (Case & { counter: number })[]
  messageEnvelopes: (Case & {
    initialCounter: number
    messages: (Record<string, Hex> & { counter: number })[]
  })[]
  groupEnvelopes: Record<string, Hex> & { groupType: number; cases: (Case & { eventType: number })[] }
  signedEntries: Case[]
  handshakes: Case[]
  attachments: Case[]
}
const b = (hex: string | undefined): Uint8Array => {
  if (hex === undefined) throw new Error('vector field missing')
  return fromHex(hex)
}
const names = <T extends { name: string }>(cases: T[]) => cases.map((c) => [c.name, c] as const)

describe('vectors from tooling/vectors/groups.py', () => {
  it('come from the independent generator', () => {
    expect(vectors.generator).toBe('tooling/vectors/groups.py')
  })

  describe.each(names(vectors.contactGroups))('contact group %s', (_, v) => {
    it('derives the same keys from both sides', () => {
      for (const keys of [
        deriveContactGroup(b(v.seedA), b(v.accountIdB)),
        deriveContactGroup(b(v.seedB), b(v.accountIdA)),
      ]) {
        expect(toHex(keys.groupSeed)).toBe(v.groupSeed)
        expect(toHex(keys.publicKey)).toBe(v.publicKey)
        expect(toHex(keys.secret)).toBe(v.secret)
        expect(toHex(keys.linkKey)).toBe(v.linkKey)
        expect(toHex(keys.signPublicKey)).toBe(v.signPublicKey)
        expect(toHex(keys.attachmentKey)).toBe(v.attachmentKey)
      }
      expect(toHex(contactGroup(b(v.seedA), b(v.accountIdB)).group.linkKeySig ?? new Uint8Array())).toBe(
        v.linkKeySig,
      )
    })
  })

  it.each(names(vectors.memberKeys))('member key %s', (_, v) => {
    expect(toHex(deriveMemberKeySeed(b(v.aliasSeed), b(v.groupId)))).toBe(v.memberKeySeed)
  })

  it.each(names(vectors.groupKeys))('link, sign and attachment keys %s', (_, v) => {
    expect(toHex(deriveLinkKey(b(v.secret), b(v.groupId)))).toBe(v.linkKey)
    expect(toHex(deriveSignPublicKey(b(v.secret)))).toBe(v.signPublicKey)
    expect(toHex(deriveAttachmentKey(b(v.secret)))).toBe(v.attachmentKey)
  })

  it.each(names(vectors.groups))('group and invitation %s', (name, v) => {
    const { group } =
      name === 'account'
        ? accountGroup({ accountSeed: b(v.accountSeed), aliasSeed: b(v.aliasSeed) })
        : createMultiMemberGroup({
            groupSeed: b(v.groupSeed),
            secret: b(v.secret),
            attachmentKey: b(v.attachmentKey),
          })
    expect(group.groupType).toBe(v.groupType)
    expect(toHex(group.publicKey)).toBe(v.publicKey)
    expect(toHex(group.linkKey)).toBe(v.linkKey)
    expect(toHex(group.linkKeySig ?? new Uint8Array())).toBe(v.linkKeySig)
    expect(toHex(group.signPublicKey)).toBe(v.signPublicKey)
    expect(toHex(group.attachmentKey)).toBe(v.attachmentKey)
    if (v.secretSig !== undefined) expect(toHex(group.secretSig ?? new Uint8Array())).toBe(v.secretSig)
    expect(toHex(encodeInvitation(group))).toBe(v.invitation)
    expect(invitationLink(group)).toBe(v.link)
    expect(parseInvitationLink(v.link)).toEqual(group)
  })

  it.each(names(vectors.contactCards))('contact card %s', (_, v) => {
    const card = {
      accountId: b(v.accountId),
      publicRendezvousSeed: b(v.publicRendezvousSeed),
      metadata: b(v.metadata),
    }
    expect(toHex(encodeContactCard(card))).toBe(v.encoded)
    expect(contactCardLink(card)).toBe(v.link)
    expect(parseContactCardLink(v.link)).toEqual(card)
  })

  it.each(names(vectors.chainKeyBoxes))('chain-key box %s', (_, v) => {
    const box = sealDeviceChainKey({
      senderDeviceSeed: b(v.senderDeviceSeed),
      recipientMemberId: b(v.recipientMemberId),
      groupId: b(v.groupId),
      chainKey: b(v.chainKey),
      counter: v.counter,
    })
    expect(toHex(box)).toBe(v.box)
    const opened = openDeviceChainKey({
      recipientMemberSeed: b(v.recipientMemberSeed),
      senderDeviceId: b(v.senderDeviceId),
      groupId: b(v.groupId),
      box: b(v.box),
    })
    expect(toHex(opened.chainKey)).toBe(v.chainKey)
    expect(opened.counter).toBe(v.counter)
  })

  it.each(names(vectors.messageEnvelopes))('message envelopes of %s', (_, v) => {
    const groupId = b(v.groupId)
    const chain = { chainKey: b(v.chainKey), counter: v.initialCounter }
    const sender = RatchetSender.create(groupId, chain)
    const receiver = RatchetReceiver.create(groupId, chain)
    for (const m of v.messages) {
      const { envelope, counter } = sealMessage({
        secret: b(v.secret),
        sender,
        deviceKey: b(v.deviceSeed),
        plaintext: b(m.plaintext),
        headerNonce: b(m.headerNonce),
      })
      expect(counter).toBe(m.counter)
      expect(toHex(envelope)).toBe(m.envelope)
      expect(toHex(signEntry(b(v.secret), envelope))).toBe(m.signedEntry)
      const payload = verifyEntry(deriveSignPublicKey(b(v.secret)), b(m.signedEntry))
      const opened = openMessage({ secret: b(v.secret), envelope: payload, receiverFor: () => receiver })
      expect(toHex(opened.plaintext)).toBe(m.plaintext)
      expect(toHex(opened.devicePk)).toBe(v.devicePk)
      expect(opened.counter).toBe(m.counter)
    }
  })

  describe('group envelopes', () => {
    const g = vectors.groupEnvelopes
    const group = { secret: b(g.secret), publicKey: b(g.groupId), groupType: 3 as const }
    it.each(names(g.cases))('%s', (_, v) => {
      const payload = decodeWire('GroupMetadata', b(v.metadata))
      expect(payload.eventType).toBe(v.eventType)
      // Re-seal from the decoded payload fields: the bytes must come out identical.
      const event = openGroupEvent(group, b(v.envelope))
      expect(toHex(event.payloadBytes)).toBe(v.payload)
      expect(toHex(event.signerPk)).toBe(v.signerPk)
      const resealed = sealGroupEvent({
        group,
        event: { eventType: event.eventType, payload: event.payload } as GroupEventInput,
        signingKey: b(v.signerSeed),
        nonce: b(v.nonce),
      })
      expect(toHex(resealed)).toBe(v.envelope)
      expect(toHex(signEntry(b(g.secret), resealed))).toBe(v.signedEntry)
      expect(toHex(verifyEntry(b(g.signPublicKey), b(v.signedEntry)))).toBe(v.envelope)
    })
  })

  it.each(names(vectors.attachments))('attachment %s', (_, v) => {
    expect(toHex(sealAttachment(b(v.attachmentKey), b(v.plaintext), b(v.nonce)))).toBe(v.sealed)
    expect(toHex(openAttachment(b(v.attachmentKey), b(v.sealed)))).toBe(v.plaintext)
  })

  it.each(names(vectors.signedEntries))('signed entry %s', (_, v) => {
    expect(toHex(entrySigningInput(b(v.payload)))).toBe(v.signingInput)
    expect(toHex(signEntry(b(v.signSeed), b(v.payload)))).toBe(v.entry)
    expect(toHex(verifyEntry(b(v.signPublicKey), b(v.entry)))).toBe(v.payload)
  })

  it.each(names(vectors.handshakes))('handshake %s', (_, v) => {
    const requester = requesterHandshakeKeys({
      accountSeed: b(v.requesterSeed),
      ephemeralSecret: b(v.requesterEphemeralSecret),
      peerEphemeralPub: b(v.responderEphemeralPub),
      peerAccountId: b(v.responderAccountId),
    })
    const responder = responderHandshakeKeys({
      accountSeed: b(v.responderSeed),
      ephemeralSecret: b(v.responderEphemeralSecret),
      peerEphemeralPub: b(v.requesterEphemeralPub),
      peerAccountId: b(v.requesterAccountId),
    })
    for (const keys of [requester, responder]) {
      expect(toHex(keys.ab)).toBe(v.ab)
      expect(toHex(keys.requesterBoxKey)).toBe(v.requesterBoxKey)
      expect(toHex(keys.responderBoxKey)).toBe(v.responderBoxKey)
    }
    expect(toHex(encodeHello(b(v.requesterEphemeralPub)))).toBe(v.helloRequester)
    expect(toHex(decodeHello(b(v.helloResponder)))).toBe(v.responderEphemeralPub)
    const authenticate = sealRequesterAuthenticate({
      keys: requester,
      accountSeed: b(v.requesterSeed),
      accountId: b(v.requesterAccountId),
    })
    expect(toHex(authenticate)).toBe(v.requesterAuthenticateFrame)
    expect(toHex(openRequesterAuthenticate({ keys: responder, frame: authenticate }))).toBe(
      v.requesterAccountId,
    )
    const accept = sealResponderAccept({ keys: responder, accountSeed: b(v.responderSeed) })
    expect(toHex(accept)).toBe(v.responderAcceptFrame)
    openResponderAccept({ keys: requester, peerAccountId: b(v.responderAccountId), frame: accept })
    expect(toHex(encodeRequesterAcknowledge())).toBe(v.requesterAcknowledgeFrame)
    decodeRequesterAcknowledge(b(v.requesterAcknowledgeFrame))
  })
})
