import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import {
  EventType,
  FoldRejection,
  createMultiMemberGroup,
  encodeInvitation,
  memberDeviceAdded,
  parseInvitation,
  sealMessage,
  signEntry,
  tallyPoll,
} from '../../src/index.js'
import { type GroupSession, membershipOf } from '../../src/node/index.js'
import { cleanupDevices, connect, openGroup, startDevice, untilRead } from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)
const hasChains = (devices: number) => (session: GroupSession) => session.state.chainKeys.size >= devices
const FLOOD = 200
const VOTES = 21

/** Resolves on the first rejection a session reports with this WeshError code. */
function rejections() {
  const waiting = new Map<string, () => void>()
  const seen = new Set<string>()
  return {
    onRejected: (_what: string, error: unknown) => {
      if (!isWeshError(error)) return
      seen.add(error.code)
      waiting.get(error.code)?.()
    },
    until(code: string): Promise<void> {
      if (seen.has(code)) return Promise.resolve()
      return new Promise((resolve) => waiting.set(code, resolve))
    },
  }
}

it('a member with valid keys who floods, lies about counters, claims its device twice and votes back and forth neither stalls nor corrupts the others', async () => {
  const [a, b, m, rogue] = await Promise.all([startDevice(), startDevice(), startDevice(), startDevice()])
  const { group, groupSeed } = createMultiMemberGroup()
  const invitation = encodeInvitation(group)
  const atB = rejections()
  const mDeviceSeed = randomBytes(32)
  const sessionA = await openGroup(a, group, { groupSeed })
  const sessionB = await openGroup(b, parseInvitation(invitation), { onRejected: atB.onRejected })
  const sessionM = await openGroup(m, parseInvitation(invitation), { deviceSeed: mDeviceSeed })
  await connect(b, a)
  await connect(m, a)
  await Promise.all([sessionA, sessionB, sessionM].map((s) => s.waitFor(hasChains(3))))
  const pollId = await sessionA.createPoll('where?', ['park', 'café'])
  await sessionM.waitFor((s) => s.state.polls.has(toHex(pollId)))

  // 1. A flood of genuine messages, and votes back and forth ending on "café".
  for (let i = 0; i < FLOOD; i += 1) await sessionM.send(text(`flood ${i}`))
  for (let i = 0; i < VOTES; i += 1) await sessionM.vote(pollId, i % 2 === 0 ? 1 : 0)
  await sessionM.vote(pollId, 1)
  await sessionB.vote(pollId, 0)

  // 2. Its own device announced again and again, then claimed for a second member it made up.
  const mMember = membershipOf(m.account, group).memberSeed
  for (let i = 0; i < 5; i += 1) {
    await sessionM.appendEvent({
      eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
      payload: memberDeviceAdded(mMember, sessionM.devicePublicKey),
    })
  }
  await sessionM.appendEvent({
    eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
    payload: memberDeviceAdded(randomBytes(32), sessionM.devicePublicKey),
  })

  // 3. From another node, a message under M's device key with a counter far past any skip limit.
  const messages = await rogue.node.openLog({
    groupId: group.publicKey,
    signPublicKey: group.signPublicKey,
    linkKey: group.linkKey,
    name: `${toHex(group.publicKey)}_wesh_group_messages`,
    identityId: toHex(randomBytes(16)),
  })
  const liar = { encrypt: (plaintext: Uint8Array) => ({ counter: 2 ** 40, ciphertext: plaintext }) }
  const { envelope } = sealMessage({
    secret: group.secret,
    sender: liar,
    deviceKey: mDeviceSeed,
    plaintext: text('x'),
  })
  await messages.add(signEntry(group.secret, envelope))
  await connect(rogue, a)
  await atB.until('RATCHET_TOO_FAR_AHEAD')
  await sessionB.waitFor((s) =>
    s.state.rejected.some(({ reason }) => reason === FoldRejection.DEVICE_CLAIMED),
  )

  // M's own chain goes on where it was; A is heard after the storm.
  await sessionM.send(text('M, honest again'))
  await sessionA.send(text('A, after the storm'))
  const floodTexts = Array.from({ length: FLOOD }, (_, i) => `flood ${i}`)
  const everything = [...floodTexts, 'M, honest again', 'A, after the storm']
  const readByB = await untilRead(sessionB, everything)
  const readByA = await untilRead(sessionA, everything)
  expect(readByB).toHaveLength(everything.length) // the lying entry is in the log, unreadable, not shown
  expect(readByB.map((message) => message.id)).toEqual(readByA.map((message) => message.id))

  const settled = (s: GroupSession) => s.state.polls.get(toHex(pollId))?.votes.size === 2
  await Promise.all([sessionA, sessionB].map((s) => s.waitFor(settled)))
  const aDevice = toHex(sessionA.devicePublicKey)
  const mDevice = toHex(sessionM.devicePublicKey)
  const aMember = sessionA.state.deviceMembers.get(aDevice)
  const mMemberId = sessionM.state.deviceMembers.get(mDevice)
  expect(aMember).toBeDefined()
  expect(mMemberId).not.toBe(aMember)
  for (const { state } of [sessionA, sessionB]) {
    expect(state.members.size).toBe(3)
    expect(state.deviceMembers.get(aDevice)).toBe(aMember)
    expect(state.deviceMembers.get(mDevice)).toBe(mMemberId) // the second claim did not move it
    expect(state.members.get(mMemberId ?? '')?.devices).toEqual([mDevice]) // announced six times, once here
    const poll = state.polls.get(toHex(pollId))
    expect(poll && tallyPoll(poll)).toMatchObject({ voters: 2, counts: [1, 1] }) // M's last vote, once
  }
})
