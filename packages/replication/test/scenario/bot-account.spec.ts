import { toHex } from '@wesh/crypto'
import {
  AccountKeys,
  contactGroup,
  createMultiMemberGroup,
  encodeInvitation,
  parseInvitation,
} from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { cleanupAll, connect, openGroup, startDevice, text, texts, untilCount } from '../helpers.js'

afterEach(cleanupAll)

// High-availability configuration 4 (the seed's "bot account"): a normal account, always online, that members
// invite into multi-member groups. It reads and writes like any member.
it('a bot account joins a multi-member group by invitation, reads and writes', async () => {
  const [alice, bot] = await Promise.all([startDevice(), startDevice()])
  const { group, groupSeed } = createMultiMemberGroup()
  const sessionA = await openGroup(alice, group, { groupSeed })
  const sessionBot = await openGroup(bot, parseInvitation(encodeInvitation(group)))
  await connect(bot.node, alice.node)
  await Promise.all([sessionA, sessionBot].map((s) => s.waitFor((x) => x.state.chainKeys.size >= 2)))
  await sessionA.send(text('hello bot'))
  expect(texts(await untilCount(sessionBot, 1))).toEqual(['hello bot'])
  await sessionBot.send(text('hello alice'))
  expect(texts(await untilCount(sessionA, 2)).sort()).toEqual(['hello alice', 'hello bot'])
  expect(sessionA.state.members.size).toBe(2)
})

it('a bot cannot be put in the contact group of two other accounts: that group is theirs alone', () => {
  const [alice, bob, bot] = [AccountKeys.create(), AccountKeys.create(), AccountKeys.create()]
  const aliceBob = contactGroup(alice.accountSeed(), bob.accountId).group
  // Both sides derive the same group; any pair including the bot derives another one.
  expect(toHex(contactGroup(bob.accountSeed(), alice.accountId).group.publicKey)).toBe(
    toHex(aliceBob.publicKey),
  )
  for (const withBot of [
    contactGroup(bot.accountSeed(), alice.accountId).group,
    contactGroup(bot.accountSeed(), bob.accountId).group,
  ]) {
    expect(toHex(withBot.publicKey)).not.toBe(toHex(aliceBob.publicKey))
    expect(toHex(withBot.secret)).not.toBe(toHex(aliceBob.secret))
  }
})
