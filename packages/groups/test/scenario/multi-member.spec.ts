import { toHex } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import { createMultiMemberGroup, encodeInvitation, parseInvitation, tallyPoll } from '../../src/index.js'
import type { GroupSession } from '../../src/node/index.js'
import { cleanupDevices, connect, openGroup, startDevice, untilRead } from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)
const texts = (messages: { plaintext: Uint8Array }[]) =>
  messages.map((m) => new TextDecoder().decode(m.plaintext))
/** True once the session holds a chain from `devices` devices (its own included). */
const hasChains = (devices: number) => (session: GroupSession) => session.state.chainKeys.size >= devices

it('three members chat; a newcomer reads what is sent after it joined, not before', async () => {
  const [a, b, c, d] = await Promise.all([startDevice(), startDevice(), startDevice(), startDevice()])
  const { group, groupSeed } = createMultiMemberGroup()
  const invitation = encodeInvitation(group)
  const sessionA = await openGroup(a, group, { groupSeed })
  const sessionB = await openGroup(b, parseInvitation(invitation))
  const sessionC = await openGroup(c, parseInvitation(invitation))
  await connect(b, a)
  await connect(c, a)
  await Promise.all([sessionA, sessionB, sessionC].map((s) => s.waitFor(hasChains(3))))

  await sessionA.send(text('before D'))
  await untilRead(sessionB, ['before D'])
  await untilRead(sessionC, ['before D'])

  const sessionD = await openGroup(d, parseInvitation(invitation))
  await connect(d, a)
  await sessionD.waitFor(hasChains(4))
  await Promise.all([sessionA, sessionB, sessionC].map((s) => s.waitFor(hasChains(4))))
  await sessionB.send(text('after D'))
  expect(texts(await untilRead(sessionD, ['after D']))).toEqual(['after D'])
  expect(texts(await sessionD.messages())).not.toContain('before D')
  expect(sessionD.state.members.size).toBe(4)
  expect(sessionD.state.initialMember).toBeDefined()
})

it('a member who writes before meeting anyone is read by the members already there, not by later newcomers', async () => {
  const [a, b, d] = await Promise.all([startDevice(), startDevice(), startDevice()])
  const { group, groupSeed } = createMultiMemberGroup()
  const invitation = encodeInvitation(group)
  const sessionA = await openGroup(a, group, { groupSeed })
  // B has only the invitation: it writes before its metadata log has shown it A.
  const sessionB = await openGroup(b, parseInvitation(invitation))
  await sessionB.send(text('written alone'))
  await connect(b, a)
  expect(texts(await untilRead(sessionA, ['written alone']))).toEqual(['written alone'])

  await sessionB.send(text('before D'))
  const sessionD = await openGroup(d, parseInvitation(invitation))
  await connect(d, a)
  await sessionD.waitFor(hasChains(3))
  await sessionB.send(text('after D'))
  await untilRead(sessionD, ['after D'])
  expect(texts(await sessionD.messages())).toEqual(['after D'])
})

it('counts one vote per member, whatever its devices or retries; the last vote wins', async () => {
  const [a, b1] = await Promise.all([startDevice(), startDevice()])
  const b2 = await startDevice(b1.account) // a second device of the same account
  const { group, groupSeed } = createMultiMemberGroup()
  const sessionA = await openGroup(a, group, { groupSeed })
  const sessionB1 = await openGroup(b1, group)
  const sessionB2 = await openGroup(b2, group)
  await connect(b1, a)
  await connect(b2, a)
  await Promise.all([sessionA, sessionB1, sessionB2].map((s) => s.waitFor(hasChains(3))))
  expect(sessionA.state.members.size).toBe(2) // B's two devices are one member

  const pollId = await sessionA.createPoll('lunch?', ['pizza', 'sushi'])
  const pollKnown = (s: GroupSession) => s.state.polls.has(toHex(pollId))
  await Promise.all([sessionB1, sessionB2].map((s) => s.waitFor(pollKnown)))
  await sessionB1.vote(pollId, 0)
  await sessionB2.vote(pollId, 1)
  await sessionA.vote(pollId, 1)
  const tally = (s: GroupSession) => {
    const poll = s.state.polls.get(toHex(pollId))
    return poll ? tallyPoll(poll) : undefined
  }
  const allVotes = (s: GroupSession) =>
    tally(s)?.voters === 2 && s.state.polls.get(toHex(pollId))?.votes.size === 2
  await Promise.all([sessionA, sessionB1, sessionB2].map((s) => s.waitFor(allVotes)))
  // Every replica folds the same order, so every replica shows the same tally.
  const tallies = [sessionA, sessionB1, sessionB2].map((s) => tally(s))
  expect(tallies[1]).toEqual(tallies[0])
  expect(tallies[2]).toEqual(tallies[0])
  expect(tallies[0]!.voters).toBe(2)
  expect(tallies[0]!.counts.reduce((sum, n) => sum + n, 0)).toBe(2)
})
