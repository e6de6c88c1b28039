// `pnpm --filter @wesh/sim fold-cost`: what the join flow's metadata log costs to re-read, without any network.
// A group of M members writes M(M + 1) + 1 metadata events while it forms (PROTOCOL.md §5: the creator's 302, then
// per device a 1 and a chain-key box 2 to every member). A session re-reads the whole metadata log — verify each
// entry, open each event, fold them all — on each log update, so forming the group costs each node about one
// full re-read per event. This prints one re-read, measured, and that product, for several M.
import {
  AccountKeys,
  EventType,
  createMultiMemberGroup,
  foldGroupEvents,
  memberDeviceAdded,
  memberKeySeed,
  openGroupEvent,
  sealDeviceChainKey,
  sealGroupEvent,
  signEntry,
  verifyEntry,
} from '@wesh/groups'
import { ed25519PublicKey, randomBytes } from '@wesh/crypto'
import { parseArgs } from 'node:util'
import { machineLine } from '../report-table.js'

const { values } = parseArgs({ options: { members: { type: 'string', default: '5,10,20,50' } } })
const rows: string[] = []
for (const members of values.members.split(',').map(Number)) {
  process.stderr.write(`building the join-flow metadata log of ${members} members…\n`)
  const { group, groupSeed } = createMultiMemberGroup()
  const people = Array.from({ length: members }, () => {
    const keys = AccountKeys.create()
    const memberSeed = memberKeySeed(group, { accountSeed: keys.accountSeed(), aliasSeed: keys.aliasSeed() })
    return { memberSeed, memberPk: ed25519PublicKey(memberSeed), device: randomBytes(32) }
  })
  const creator = people[0]
  if (creator === undefined) throw new Error('a group needs at least one member')
  const entries: Uint8Array[] = []
  const seal = (event: Parameters<typeof sealGroupEvent>[0]['event'], signingKey: Uint8Array) =>
    entries.push(signEntry(group.secret, sealGroupEvent({ group, event, signingKey })))
  seal(
    {
      eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED,
      payload: { memberPk: creator.memberPk },
    },
    groupSeed,
  )
  for (const person of people) {
    const devicePk = ed25519PublicKey(person.device)
    seal(
      {
        eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
        payload: memberDeviceAdded(person.memberSeed, devicePk),
      },
      person.device,
    )
    for (const recipient of people) {
      const payload = sealDeviceChainKey({
        senderDeviceSeed: person.device,
        recipientMemberId: recipient.memberPk,
        groupId: group.publicKey,
        chainKey: randomBytes(32),
        counter: 0,
      })
      seal(
        {
          eventType: EventType.GROUP_DEVICE_CHAIN_KEY_ADDED,
          payload: { destMemberPk: recipient.memberPk, payload },
        },
        person.device,
      )
    }
  }
  /** What GroupSession does on each metadata update: verify, open and fold the whole log. */
  const reread = () =>
    foldGroupEvents(
      entries.map((entry) => openGroupEvent(group, verifyEntry(group.signPublicKey, entry))),
      { group, ownMemberSeed: creator.memberSeed },
    )
  const state = reread()
  if (state.members.size !== members || state.chainKeys.size !== members)
    throw new Error(`the log folds to ${state.members.size} members and ${state.chainKeys.size} chains`)
  const runs = Math.max(3, Math.round(2000 / entries.length))
  const start = performance.now()
  for (let i = 0; i < runs; i++) reread()
  const once = (performance.now() - start) / runs
  const perNode = (once * entries.length) / 1000
  rows.push(
    `| ${members} | ${entries.length} | ${once.toFixed(1)} ms | ${perNode.toFixed(1)} s | ${(perNode * members).toFixed(0)} s |`,
  )
}
console.log(
  [
    '## Re-reading the metadata log during the join flow',
    '',
    machineLine(),
    '',
    '| members | metadata events | one re-read (verify + open + fold) | one re-read per event, one node | all members |',
    '|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n'),
)
