import { toHex, u64be, utf8ToBytes } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  AccountKeys,
  ContactStatus,
  EventType,
  FoldRejection,
  GroupType,
  type OpenedGroupEvent,
  createMultiMemberGroup,
  foldGroupEvents,
  isActiveContact,
} from '../src/index.js'

// Events as `openGroupEvent` returns them: the account fold trusts signatures and applies the order's rules.
let nonces = 0
function event(eventType: number, payload: Record<string, unknown>, signerPk: Uint8Array): OpenedGroupEvent {
  return {
    eventType,
    // Decoded protobuf payloads always carry every field: absent bytes decode as empty.
    payload: {
      devicePk: signerPk,
      contactRendezvousSeed: new Uint8Array(0),
      contactMetadata: new Uint8Array(0),
      ...payload,
    },
    signerPk,
    payloadBytes: new Uint8Array(0),
    nonce: u64be(++nonces),
  } as unknown as OpenedGroupEvent
}
const key = (label: string, i: number) => {
  const out = new Uint8Array(32)
  out.set(utf8ToBytes(label).subarray(0, 24))
  out.set(u64be(i), 24)
  return out
}
const account = AccountKeys.create()
const group = { publicKey: account.accountId, groupType: GroupType.ACCOUNT }
const device = key('device', 1)
const joined = event(
  EventType.GROUP_MEMBER_DEVICE_ADDED,
  { memberPk: account.accountId, memberSig: new Uint8Array(64) },
  device,
)
const fold = (...events: OpenedGroupEvent[]) => foldGroupEvents([joined, ...events], { group })
const peer = AccountKeys.create()
const card = { pk: peer.accountId, publicRendezvousSeed: key('seed', 1), metadata: utf8ToBytes('Bob') }

describe('fold of the account group (events 101–112)', () => {
  it('lists groups joined and not left', () => {
    const { group: g1 } = createMultiMemberGroup()
    const { group: g2 } = createMultiMemberGroup()
    const wire = (g: typeof g1) => ({
      publicKey: g.publicKey,
      secret: g.secret,
      secretSig: g.secretSig,
      groupType: g.groupType,
      linkKey: g.linkKey,
      linkKeySig: g.linkKeySig,
      attachmentKey: g.attachmentKey,
    })
    const state = fold(
      event(EventType.ACCOUNT_GROUP_JOINED, { group: wire(g1) }, device),
      event(EventType.ACCOUNT_GROUP_JOINED, { group: wire(g2) }, device),
      event(EventType.ACCOUNT_GROUP_LEFT, { groupPk: g1.publicKey }, device),
    ).account
    expect([...(state?.groups.keys() ?? [])]).toEqual([toHex(g2.publicKey)])
    expect(state?.groups.get(toHex(g2.publicKey))?.secret).toEqual(g2.secret)
  })

  it('refuses a joined group whose invitation does not verify', () => {
    const { group: g } = createMultiMemberGroup()
    const forged = { ...g, secretSig: new Uint8Array(64), signPub: undefined }
    const state = fold(event(EventType.ACCOUNT_GROUP_JOINED, { group: forged }, device))
    expect(state.account?.groups.size).toBe(0)
    expect(state.rejected).toEqual([{ index: 1, reason: FoldRejection.MALFORMED_ACCOUNT_EVENT }])
  })

  it('follows contact requests: enqueued, sent; received, accepted; discarded and asked again', () => {
    const other = AccountKeys.create().accountId
    const state = fold(
      event(
        EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_ENQUEUED,
        { contact: card, ownMetadata: utf8ToBytes('A') },
        device,
      ),
      event(EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT, { contactPk: peer.accountId }, device),
      event(
        EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED,
        { contactPk: other, contactMetadata: utf8ToBytes('C') },
        device,
      ),
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_DISCARDED, { contactPk: other }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED, { contactPk: other }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_ACCEPTED, { contactPk: other }, device),
    )
    expect(state.rejected).toEqual([])
    const bob = state.account?.contacts.get(toHex(peer.accountId))
    expect(bob).toMatchObject({ status: ContactStatus.OUTGOING_SENT, metadata: utf8ToBytes('Bob') })
    expect(bob?.publicRendezvousSeed).toEqual(card.publicRendezvousSeed)
    const carol = state.account?.contacts.get(toHex(other))
    expect(carol?.status).toBe(ContactStatus.ACCEPTED)
    expect(carol && isActiveContact(carol)).toBe(true)
  })

  it('refuses transitions the status does not allow, and leaves the contact as it was', () => {
    const state = fold(
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_ACCEPTED, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT, { contactPk: peer.accountId }, device),
    )
    expect(state.account?.contacts.get(toHex(peer.accountId))?.status).toBe(ContactStatus.INCOMING_RECEIVED)
    expect(state.rejected.map((r) => r.reason)).toEqual([
      FoldRejection.INVALID_TRANSITION,
      FoldRejection.INVALID_TRANSITION,
      FoldRejection.INVALID_TRANSITION,
      FoldRejection.INVALID_TRANSITION,
    ])
  })

  it('tracks blocking, contact-request settings and the renewed rendezvous seed', () => {
    const seed = key('renewed', 1)
    const state = fold(
      event(EventType.ACCOUNT_CONTACT_REQUEST_ENABLED, {}, device),
      event(EventType.ACCOUNT_CONTACT_BLOCKED, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_REFERENCE_RESET, { publicRendezvousSeed: seed }, device),
    ).account
    expect(state).toMatchObject({ contactRequestsEnabled: true, publicRendezvousSeed: seed })
    expect(state?.blocked.has(toHex(peer.accountId))).toBe(true)
    const after = fold(
      event(EventType.ACCOUNT_CONTACT_REQUEST_ENABLED, {}, device),
      event(EventType.ACCOUNT_CONTACT_REQUEST_DISABLED, {}, device),
      event(EventType.ACCOUNT_CONTACT_BLOCKED, { contactPk: peer.accountId }, device),
      event(EventType.ACCOUNT_CONTACT_UNBLOCKED, { contactPk: peer.accountId }, device),
    ).account
    expect(after).toMatchObject({ contactRequestsEnabled: false, publicRendezvousSeed: undefined })
    expect(after?.blocked.size).toBe(0)
  })

  it('ignores account events from a device that is not the account’s', () => {
    const state = fold(event(EventType.ACCOUNT_CONTACT_REQUEST_ENABLED, {}, key('device', 2)))
    expect(state.account?.contactRequestsEnabled).toBe(false)
    expect(state.rejected).toEqual([{ index: 1, reason: FoldRejection.UNKNOWN_DEVICE }])
  })

  it('records replication servers once each, and no account state outside the account group', () => {
    const multi = { publicKey: key('group', 1), groupType: GroupType.MULTI_MEMBER }
    const member = key('member', 1)
    const state = foldGroupEvents(
      [
        event(
          EventType.GROUP_MEMBER_DEVICE_ADDED,
          { memberPk: member, memberSig: new Uint8Array(64) },
          device,
        ),
        event(
          EventType.GROUP_REPLICATING,
          { replicationServer: '/ip4/127.0.0.1/tcp/1/p2p/x', authenticationUrl: '' },
          device,
        ),
        event(
          EventType.GROUP_REPLICATING,
          { replicationServer: '/ip4/127.0.0.1/tcp/1/p2p/x', authenticationUrl: 'y' },
          device,
        ),
        event(EventType.GROUP_REPLICATING, { replicationServer: '', authenticationUrl: '' }, device),
      ],
      { group: multi },
    )
    expect([...state.replicas.values()]).toEqual([
      { server: '/ip4/127.0.0.1/tcp/1/p2p/x', authenticationUrl: '', recordedBy: toHex(device) },
    ])
    expect(state.rejected).toEqual([{ index: 3, reason: FoldRejection.MALFORMED_REPLICA }])
    expect(state.account).toBeUndefined()
  })
})
