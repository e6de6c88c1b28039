import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToUtf8, randomBytes, toHex, utf8ToBytes } from '@wesh/crypto'
import {
  AccountKeys,
  contactGroup,
  createMultiMemberGroup,
  invitationLink,
  parseInvitationLink,
  tallyPoll,
  type Group,
} from '@wesh/groups'
import {
  GroupSession,
  LevelSecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'
import { check, type Timeline } from './timeline.js'

/** One device: a Wesh node on 127.0.0.1 with its own data directory. */
interface Device {
  readonly name: string
  readonly account: AccountKeys
  readonly directory: string
  readonly storeKey: Uint8Array
  node: WeshNode
  secrets: LevelSecretStore
  readonly sessions: GroupSession[]
}

const short = (bytes: Uint8Array) => `${toHex(bytes).slice(0, 12)}…`
const text = (message: { plaintext: Uint8Array }) => bytesToUtf8(message.plaintext)

/**
 * Real nodes on loopback: libp2p over TCP, Helia and OrbitDB on LevelDB in a directory per device. Alice and
 * Bob chat in their contact group; Alice's group with Bob and Carol runs a poll; Bob's node restarts from disk.
 */
export async function nodeStory(timeline: Timeline, options: { keep: boolean }): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wesh-demo-'))
  const devices: Device[] = []
  const start = async (
    name: string,
    account = AccountKeys.create(),
    directory?: string,
    storeKey = randomBytes(32),
  ) => {
    const dir = directory ?? join(root, name)
    const node = await createWeshNode({
      directory: dir,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
    })
    const secrets = await LevelSecretStore.open(join(dir, 'secrets'), new Uint8Array(storeKey))
    const device: Device = { name, account, directory: dir, storeKey, node, secrets, sessions: [] }
    devices.push(device)
    timeline.say(
      name,
      `node ${node.libp2p.peerId.toString().slice(-8)} on ${node.libp2p.getMultiaddrs()[0]?.toString() ?? '?'}`,
    )
    return device
  }
  const stop = async (device: Device) => {
    for (const session of device.sessions.splice(0)) await session.close()
    await device.node.stop()
    await device.secrets.close()
  }
  const open = async (
    device: Device,
    group: Group,
    extra: { groupSeed?: Uint8Array; knownMembers?: Uint8Array[] } = {},
  ) => {
    const session = await GroupSession.open({
      node: device.node,
      secrets: device.secrets,
      group,
      ...membershipOf(device.account, group),
      ...extra,
    })
    device.sessions.push(session)
    return session
  }
  const connect = async (a: Device, b: Device) => {
    const address = b.node.libp2p.getMultiaddrs()[0]
    if (!address) throw new Error(`${b.name} listens on no address`)
    await a.node.libp2p.dial(address)
  }
  // Waits on the session's updates, never on a clock.
  const read = async (session: GroupSession, count: number) => {
    for (;;) {
      const next = session.nextUpdate()
      const messages = await session.messages()
      if (messages.length >= count) return messages
      await next
    }
  }

  try {
    let alice: Device | undefined
    let bob: Device | undefined
    let bobChat: GroupSession | undefined
    await timeline.step(
      4,
      'Alice and Bob start Wesh nodes and chat in their contact group, both ways',
      async () => {
        alice = await start('Alice')
        bob = await start('Bob')
        const group = contactGroup(alice.account.accountSeed(), bob.account.accountId).group
        timeline.say('Alice', `contact group ${short(group.publicKey)} derived from her key and Bob's ID`)
        const aliceChat = await open(alice, group, { knownMembers: [bob.account.accountId] })
        bobChat = await open(bob, contactGroup(bob.account.accountSeed(), alice.account.accountId).group, {
          knownMembers: [alice.account.accountId],
        })
        check(toHex(bobChat.group.publicKey) === toHex(group.publicKey), 'Bob derives the same group')
        await connect(alice, bob)
        await aliceChat.send(utf8ToBytes('hi Bob, over libp2p and OrbitDB'))
        await bobChat.send(utf8ToBytes('hi Alice!'))
        const [bobView, aliceView] = await Promise.all([read(bobChat, 2), read(aliceChat, 2)])
        for (const message of [...bobView].reverse()) timeline.say('Bob', `reads "${text(message)}"`)
        check(
          bobView.map((m) => m.id).join() === aliceView.map((m) => m.id).join(),
          'same order on both sides',
        )
        timeline.say('both', 'see the same two messages in the same order')
      },
    )

    await timeline.step(
      5,
      'Alice invites Bob and Carol to a group; Bob votes from two devices: one vote',
      async () => {
        if (!alice || !bob) throw new Error('step 4 did not run')
        const carol = await start('Carol')
        const bobPhone = await start('Bob²', bob.account) // a second device of Bob's account
        const { group, groupSeed } = createMultiMemberGroup()
        const link = invitationLink(group)
        timeline.say('Alice', `invitation ${link.slice(0, 40)}…`)
        const sessions = [
          await open(alice, group, { groupSeed }),
          await open(bob, parseInvitationLink(link)),
          await open(carol, parseInvitationLink(link)),
          await open(bobPhone, parseInvitationLink(link)),
        ]
        for (const device of [bob, carol, bobPhone]) await connect(device, alice)
        await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.chainKeys.size >= 4)))
        timeline.say(
          'group',
          `${sessions[0]?.state.members.size ?? 0} members, 4 devices, every chain key shared`,
        )
        const [aliceGroup, bobGroup, carolGroup, bobPhoneGroup] = sessions as [
          GroupSession,
          GroupSession,
          GroupSession,
          GroupSession,
        ]
        const pollId = await aliceGroup.createPoll('Where do we meet?', ['park', 'café'])
        await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.polls.has(toHex(pollId)))))
        await bobGroup.vote(pollId, 0)
        // The phone votes once it has seen the laptop's vote: its vote is then later in every replica's order.
        await bobPhoneGroup.waitFor(
          (session) => (session.state.polls.get(toHex(pollId))?.votes.size ?? 0) >= 1,
        )
        await bobPhoneGroup.vote(pollId, 1)
        await carolGroup.vote(pollId, 1)
        timeline.say('Bob', 'votes "park" from his laptop, then "café" from his phone')
        // Every replica converges on one tally: Bob's last vote (café) and Carol's (café); Bob counts once.
        const settled = (session: GroupSession) => {
          const poll = session.state.polls.get(toHex(pollId))
          return poll !== undefined && tallyPoll(poll).counts[1] === 2
        }
        await Promise.all(sessions.map((s) => s.waitFor(settled, { signal: AbortSignal.timeout(60_000) })))
        const poll = aliceGroup.state.polls.get(toHex(pollId))
        if (!poll) throw new Error('poll missing')
        const { counts, voters } = tallyPoll(poll)
        timeline.say('Alice', `tally: park ${counts[0] ?? 0}, café ${counts[1] ?? 0} — ${voters} voters`)
        check(voters === 2 && counts[0] === 0 && counts[1] === 2, 'Bob counts once, with his last vote')
      },
    )

    await timeline.step(
      6,
      "Bob's node restarts from its directory: every message is still there",
      async () => {
        if (!bob || !alice || !bobChat) throw new Error('step 4 did not run')
        const before = (await bobChat.messages()).map((m) => m.id)
        const { name, account, directory, storeKey } = bob
        await stop(bob)
        devices.splice(devices.indexOf(bob), 1)
        timeline.say('Bob', 'node stopped')
        bob = await start(name, account, directory, storeKey)
        const again = await open(bob, contactGroup(account.accountSeed(), alice.account.accountId).group, {
          knownMembers: [alice.account.accountId],
        })
        const after = (await again.messages()).map((m) => m.id)
        timeline.say('Bob', `restarted with ${after.length} messages read from disk, offline`)
        check(after.join() === before.join(), 'nothing lost')
      },
    )
  } finally {
    for (const device of devices.splice(0)) await stop(device)
    if (options.keep) timeline.say('demo', `data directories kept in ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}
