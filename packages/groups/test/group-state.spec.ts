import { ed25519KeyPair, toHex, u64be, utf8ToBytes } from '@wesh/crypto'
import { RatchetSender } from '@wesh/ratchet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AccountKeys,
  EventType,
  FoldRejection,
  GroupFold,
  GroupType,
  type GroupEventInput,
  type OpenedGroupEvent,
  accountGroup,
  contactGroup,
  createMultiMemberGroup,
  createPoll,
  deriveMemberKeySeed,
  encodeAppEvent,
  foldGroupEvents,
  memberDeviceAdded,
  openGroupEvent,
  sealDeviceChainKey,
  sealGroupEvent,
  tallyPoll,
} from '../src/index.js'
import { FUZZ_RUNS } from './helpers.js'

// Events as `openGroupEvent` returns them, built without crypto so that properties run fast. The fold trusts
// that signatures were checked; its own rules (membership, order, one member one vote) are what is tested.
let nonces = 0
function event(
  eventType: number,
  payload: Record<string, unknown>,
  signerPk: Uint8Array,
  nonce?: Uint8Array,
): OpenedGroupEvent {
  return {
    eventType,
    payload,
    signerPk,
    payloadBytes: new Uint8Array(0),
    nonce: nonce ?? u64be(++nonces),
  } as unknown as OpenedGroupEvent
}
const key = (label: string, i: number) => {
  const out = new Uint8Array(32)
  out.set(utf8ToBytes(label).subarray(0, 24))
  out.set(u64be(i), 24)
  return out
}
const added = (member: Uint8Array, device: Uint8Array) =>
  event(1, { memberPk: member, devicePk: device, memberSig: new Uint8Array(64) }, device)
const app = (device: Uint8Array, bytes: Uint8Array, nonce?: Uint8Array) =>
  event(1001, { devicePk: device, message: bytes }, device, nonce)
const multi = { publicKey: key('group', 0), groupType: GroupType.MULTI_MEMBER }

describe('fold of the metadata log', () => {
  it('collects members, their devices and the group name; the last name wins', () => {
    const [m1, m2, d1, d2, d3] = [key('m', 1), key('m', 2), key('d', 1), key('d', 2), key('d', 3)]
    const state = foldGroupEvents(
      [
        added(m1, d1),
        added(m1, d2),
        added(m2, d3),
        app(d1, encodeAppEvent({ kind: 'group-name', name: 'first' })),
        app(d3, encodeAppEvent({ kind: 'group-name', name: 'second' })),
      ],
      { group: multi },
    )
    expect([...state.members.keys()]).toEqual([toHex(m1), toHex(m2)])
    expect(state.members.get(toHex(m1))?.devices).toEqual([toHex(d1), toHex(d2)])
    expect(state.deviceMembers.get(toHex(d3))).toBe(toHex(m2))
    expect(state.name).toBe('second')
    expect(state.rejected).toEqual([])
  })

  it('rejects a device claiming another member, and events from unknown devices', () => {
    const [m1, m2, d1, stranger] = [key('m', 1), key('m', 2), key('d', 1), key('d', 9)]
    const state = foldGroupEvents(
      [added(m1, d1), added(m2, d1), app(stranger, encodeAppEvent({ kind: 'group-name', name: 'x' }))],
      { group: multi },
    )
    expect(state.deviceMembers.get(toHex(d1))).toBe(toHex(m1))
    expect(state.rejected).toEqual([
      { index: 1, reason: FoldRejection.DEVICE_CLAIMED },
      { index: 2, reason: FoldRejection.UNKNOWN_DEVICE },
    ])
    expect(state.name).toBeUndefined()
  })

  it('ignores a replayed event (same envelope nonce)', () => {
    const [m1, d1] = [key('m', 1), key('d', 1)]
    const once = app(d1, encodeAppEvent({ kind: 'group-name', name: 'old' }))
    const state = foldGroupEvents(
      [added(m1, d1), once, app(d1, encodeAppEvent({ kind: 'group-name', name: 'new' })), once],
      { group: multi },
    )
    expect(state.name).toBe('new')
    expect(state.rejected).toEqual([{ index: 3, reason: FoldRejection.REPLAYED }])
  })

  it('keeps the account group to the account, and a contact group to two members', () => {
    const account = { publicKey: key('account', 1), groupType: GroupType.ACCOUNT }
    const accountState = foldGroupEvents(
      [added(account.publicKey, key('d', 1)), added(key('m', 2), key('d', 2))],
      { group: account },
    )
    expect(accountState.members.size).toBe(1)
    expect(accountState.rejected).toEqual([{ index: 1, reason: FoldRejection.MEMBER_NOT_ALLOWED }])
    const contact = { publicKey: key('contact', 1), groupType: GroupType.CONTACT }
    const contactState = foldGroupEvents(
      [1, 2, 3].map((i) => added(key('m', i), key('d', i))),
      { group: contact },
    )
    expect(contactState.members.size).toBe(2)
    expect(contactState.rejected).toEqual([{ index: 2, reason: FoldRejection.MEMBER_NOT_ALLOWED }])
  })

  it('lets the announced creator grant admin, and nobody else', () => {
    const [m1, m2, m3, d1, d2, d3] = [
      key('m', 1),
      key('m', 2),
      key('m', 3),
      key('d', 1),
      key('d', 2),
      key('d', 3),
    ]
    const grant = (device: Uint8Array, grantee: Uint8Array) =>
      event(303, { devicePk: device, granteeMemberPk: grantee }, device)
    const state = foldGroupEvents(
      [
        event(302, { memberPk: m1 }, multi.publicKey),
        added(m1, d1),
        added(m2, d2),
        added(m3, d3),
        grant(d3, m3),
        grant(d1, m2),
        grant(d2, m3),
        event(302, { memberPk: m2 }, multi.publicKey),
      ],
      { group: multi },
    )
    expect(state.initialMember).toBe(toHex(m1))
    expect([...state.admins]).toEqual([toHex(m1), toHex(m2), toHex(m3)])
    expect(state.rejected).toEqual([{ index: 4, reason: FoldRejection.NOT_ADMIN }])
  })

  it('rejects duplicate polls, votes for unknown polls or options, and malformed Wesh events; ignores other apps', () => {
    const [m1, d1] = [key('m', 1), key('d', 1)]
    const { pollId, event: poll } = createPoll({ question: 'lunch?', options: ['yes', 'no'] })
    const vote = (option: number, id = pollId) =>
      app(d1, encodeAppEvent({ kind: 'poll-voted', pollId: id, option }))
    const state = foldGroupEvents(
      [
        added(m1, d1),
        vote(0),
        app(d1, encodeAppEvent(poll)),
        app(d1, encodeAppEvent(poll)),
        vote(2),
        vote(1),
        app(d1, utf8ToBytes('another application')),
        app(
          d1,
          new Uint8Array([0x0a, 0x0b, 0x77, 0x65, 0x73, 0x68, 0x2e, 0x61, 0x70, 0x70, 0x2e, 0x76, 0x31]),
        ),
      ],
      { group: multi },
    )
    expect(state.rejected.map((r) => r.reason)).toEqual([
      FoldRejection.UNKNOWN_POLL,
      FoldRejection.DUPLICATE_POLL,
      FoldRejection.INVALID_VOTE,
      FoldRejection.MALFORMED_APP_EVENT,
    ])
    const tally = tallyPoll(state.polls.get(toHex(pollId)) ?? expect.fail('no poll'))
    expect(tally).toEqual({ counts: [0, 1], voters: 1 })
  })

  it('is a pure function of the order: folding twice, or one event at a time, gives the same state', () => {
    const [m1, d1] = [key('m', 1), key('d', 1)]
    const events = [added(m1, d1), app(d1, encodeAppEvent({ kind: 'group-name', name: 'n' }))]
    const fold = new GroupFold({ group: multi })
    for (const e of events) fold.apply(e)
    expect(fold.state()).toEqual(foldGroupEvents(events, { group: multi }))
    expect(foldGroupEvents(events, { group: multi })).toEqual(foldGroupEvents(events, { group: multi }))
  })

  describe('one member, one vote', () => {
    // A ballot: which member votes, from which of its devices, for which option, how many times it is sent
    // (retries are new entries), and whether the entry is replayed verbatim by someone else.
    const ballot = fc.record({
      member: fc.nat(3),
      device: fc.nat(2),
      option: fc.nat(2),
      retries: fc.nat(2),
      replayed: fc.boolean(),
    })

    it('counts each member once, with its last vote in the order, whatever devices and retries', () => {
      fc.assert(
        fc.property(fc.array(ballot, { maxLength: 30 }), (ballots) => {
          const members = [0, 1, 2, 3].map((m) => key('member', m))
          const devices = members.map((_, m) => [0, 1, 2].map((d) => key(`device-${m}`, d)))
          const events: OpenedGroupEvent[] = []
          members.forEach((member, m) => devices[m]?.forEach((device) => events.push(added(member, device))))
          const { pollId, event: poll } = createPoll({
            question: 'q',
            options: ['a', 'b', 'c'],
            pollId: new Uint8Array(16).fill(1),
          })
          events.push(app(devices[0]?.[0] ?? key('x', 0), encodeAppEvent(poll)))
          const expected = new Map<number, number>()
          for (const b of ballots) {
            const device = devices[b.member]?.[b.device] ?? key('x', 0)
            const bytes = encodeAppEvent({ kind: 'poll-voted', pollId, option: b.option })
            for (let i = 0; i <= b.retries; i++) {
              const sent = app(device, bytes)
              events.push(sent)
              if (b.replayed) events.push(sent)
            }
            expected.delete(b.member)
            expected.set(b.member, b.option)
          }
          const state = foldGroupEvents(events, { group: multi })
          const pollState = state.polls.get(toHex(pollId)) ?? expect.fail('no poll')
          const counts = [0, 0, 0]
          for (const option of expected.values()) counts[option] = (counts[option] ?? 0) + 1
          expect(tallyPoll(pollState)).toEqual({ counts, voters: expected.size })
          expect([...pollState.votes]).toEqual(
            [...expected].map(([m, option]) => [toHex(members[m] ?? key('x', 0)), option]),
          )
        }),
        { numRuns: FUZZ_RUNS },
      )
    })

    it('gives the same tally when a member votes from a different device', () => {
      fc.assert(
        fc.property(
          fc.array(ballot, { minLength: 1, maxLength: 20 }),
          fc.array(fc.nat(2), { minLength: 20, maxLength: 20 }),
          (ballots, swaps) => {
            const tallyOf = (chooseDevice: (b: { device: number }, i: number) => number) => {
              const members = [0, 1, 2, 3].map((m) => key('member', m))
              const devices = members.map((_, m) => [0, 1, 2].map((d) => key(`device-${m}`, d)))
              const events: OpenedGroupEvent[] = []
              members.forEach((member, m) =>
                devices[m]?.forEach((device) => events.push(added(member, device))),
              )
              const { pollId, event: poll } = createPoll({
                question: 'q',
                options: ['a', 'b', 'c'],
                pollId: new Uint8Array(16).fill(2),
              })
              events.push(app(devices[0]?.[0] ?? key('x', 0), encodeAppEvent(poll)))
              ballots.forEach((b, i) => {
                const device = devices[b.member]?.[chooseDevice(b, i)] ?? key('x', 0)
                events.push(app(device, encodeAppEvent({ kind: 'poll-voted', pollId, option: b.option })))
              })
              return tallyPoll(
                foldGroupEvents(events, { group: multi }).polls.get(toHex(pollId)) ?? expect.fail('no poll'),
              )
            }
            expect(tallyOf((b) => b.device)).toEqual(tallyOf((_, i) => swaps[i] ?? 0))
          },
        ),
        { numRuns: FUZZ_RUNS },
      )
    })
  })
})

describe('fold of real sealed events (join flow, §5)', () => {
  it('registers the chain keys addressed to our member and who has sent theirs to whom', () => {
    const { group, groupSeed } = createMultiMemberGroup()
    const [alice, bob] = [AccountKeys.create(), AccountKeys.create()]
    const memberSeed = (a: AccountKeys) => deriveMemberKeySeed(a.aliasSeed(), group.publicKey)
    const memberPk = (a: AccountKeys) => memberDeviceAdded(memberSeed(a), a.devicePublicKey).memberPk
    const aliceChain = RatchetSender.create(group.publicKey).chain()
    const seal = (signingKey: Uint8Array, e: GroupEventInput) =>
      openGroupEvent(group, sealGroupEvent({ group, event: e, signingKey }))
    const events = [
      seal(groupSeed, {
        eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED,
        payload: { memberPk: memberPk(alice) },
      }),
      seal(alice.deviceSeed(), {
        eventType: 1,
        payload: memberDeviceAdded(memberSeed(alice), alice.devicePublicKey),
      }),
      seal(bob.deviceSeed(), {
        eventType: 1,
        payload: memberDeviceAdded(memberSeed(bob), bob.devicePublicKey),
      }),
      seal(alice.deviceSeed(), {
        eventType: 2,
        payload: {
          destMemberPk: memberPk(bob),
          payload: sealDeviceChainKey({
            senderDeviceSeed: alice.deviceSeed(),
            recipientMemberId: memberPk(bob),
            groupId: group.publicKey,
            ...aliceChain,
          }),
        },
      }),
      seal(alice.deviceSeed(), {
        eventType: 2,
        payload: { destMemberPk: memberPk(bob), payload: new Uint8Array(60) },
      }),
    ]
    const bobView = foldGroupEvents(events, { group, ownMemberSeed: memberSeed(bob) })
    expect(bobView.chainKeys.get(toHex(alice.devicePublicKey))).toEqual(aliceChain)
    expect(bobView.chainKeysSent.get(toHex(alice.devicePublicKey))).toEqual(new Set([toHex(memberPk(bob))]))
    expect(bobView.admins).toEqual(new Set([toHex(memberPk(alice))]))
    expect(bobView.rejected).toEqual([]) // the second box for the same device is not opened: the first one wins
    const aliceView = foldGroupEvents(events, { group, ownMemberSeed: memberSeed(alice) })
    expect(aliceView.chainKeys.size).toBe(0)
  })

  it('records a chain-key box that does not open as BAD_CHAIN_KEY', () => {
    const account = AccountKeys.create()
    const peer = AccountKeys.create()
    const { group } = contactGroup(account.accountSeed(), peer.accountId)
    const seal = (e: GroupEventInput) =>
      openGroupEvent(group, sealGroupEvent({ group, event: e, signingKey: peer.deviceSeed() }))
    const state = foldGroupEvents(
      [
        seal({ eventType: 1, payload: memberDeviceAdded(peer.accountSeed(), peer.devicePublicKey) }),
        seal({ eventType: 2, payload: { destMemberPk: account.accountId, payload: new Uint8Array(60) } }),
      ],
      { group, ownMemberSeed: account.accountSeed() },
    )
    expect(state.rejected).toEqual([{ index: 1, reason: FoldRejection.BAD_CHAIN_KEY }])
    expect(
      accountGroup({ accountSeed: account.accountSeed(), aliasSeed: account.aliasSeed() }).group.groupType,
    ).toBe(1)
    expect(ed25519KeyPair().publicKey).toHaveLength(32)
  })
})
