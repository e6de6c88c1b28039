import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContactRequests, DeviceLinking, linkDevice, qrTerminal } from '@wesh/contacts'
import { bytesToUtf8, randomBytes, toHex, utf8ToBytes } from '@wesh/crypto'
import { contactCardLink, invitationLink, tallyPoll } from '@wesh/groups'
import {
  type GroupSession,
  LevelSecretStore,
  WeshAccount,
  type WeshNode,
  createWeshNode,
} from '@wesh/groups/node'
import { replicateGroup } from '@wesh/replication/node'
import { type ServerProcess, startServerProcess } from './server-process.js'
import { check, type Timeline } from './timeline.js'

/** One device: a Wesh node on 127.0.0.1 with its own data directory, its account, and its contact service. */
interface Device {
  readonly name: string
  readonly node: WeshNode
  readonly secrets: LevelSecretStore
  readonly account: WeshAccount
  readonly contacts: ContactRequests
  linking?: DeviceLinking
}

const short = (bytes: Uint8Array) => `${toHex(bytes).slice(0, 12)}…`
const text = (message: { plaintext: Uint8Array }) => bytesToUtf8(message.plaintext)
const REPLICATION_TOKEN = toHex(randomBytes(16))

/**
 * The seed's story on real nodes and real servers on loopback: a rendezvous server and a replication server run
 * as their own processes; Alice, Bob and Carol run Wesh nodes (libp2p over TCP, Helia and OrbitDB on LevelDB, one
 * directory each) that find each other only through rendezvous points. Bob's contact request, a group with a
 * poll voted from two of Bob's devices, a catch-up from the replication server alone, and a restart from disk.
 */
export async function nodeStory(timeline: Timeline, options: { keep: boolean }): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wesh-demo-'))
  const devices: Device[] = []
  const servers: ServerProcess[] = []
  let rendezvous: ServerProcess | undefined
  let replication: ServerProcess | undefined

  const startNode = async (directory: string) => {
    if (!rendezvous) throw new Error('step 4 did not run')
    return createWeshNode({
      directory,
      network: {
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: false,
        dht: 'lan',
        rendezvousServers: [rendezvous.address],
      },
    })
  }
  const ready = async (name: string, node: WeshNode, secrets: LevelSecretStore, account: WeshAccount) => {
    const device: Device = {
      name,
      node,
      secrets,
      account,
      contacts: await ContactRequests.start({ account }),
    }
    devices.push(device)
    timeline.say(
      name,
      `node …${node.libp2p.peerId.toString().slice(-8)}, account ${short(account.accountId)}`,
    )
    return device
  }
  /** Starts a device on `name`'s directory: a new account the first time, the stored one after a restart. */
  const storeKeys = new Map<string, Uint8Array>() // kept by the person, as a passphrase would be
  const start = async (name: string) => {
    const storeKey = storeKeys.get(name) ?? randomBytes(32)
    storeKeys.set(name, storeKey)
    const directory = join(root, name)
    const node = await startNode(directory)
    const secrets = await LevelSecretStore.open(join(directory, 'secrets'), new Uint8Array(storeKey))
    const account = await WeshAccount.open({ node, secrets })
    return ready(name, node, secrets, account)
  }
  const stop = async (device: Device) => {
    devices.splice(devices.indexOf(device), 1)
    await device.linking?.stop()
    await device.contacts.stop()
    await device.account.close()
    await device.node.stop()
    await device.secrets.close()
    timeline.say(device.name, 'node stopped')
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
    await timeline.step(
      4,
      'A rendezvous server and a replication server start as their own processes',
      async () => {
        const data = join(root, 'servers')
        await mkdir(data, { recursive: true })
        rendezvous = await startServerProcess('@wesh/rendezvous-server', [
          '--listen',
          '/ip4/127.0.0.1/tcp/0',
          '--data',
          join(data, 'rendezvous'),
        ])
        servers.push(rendezvous)
        timeline.say('rdv', `wesh-rendezvous on ${rendezvous.address}`)
        const tokens = join(data, 'tokens.json')
        await writeFile(
          tokens,
          JSON.stringify({ v: 1, tokens: [{ name: 'demo', token: REPLICATION_TOKEN, maxGroups: 10 }] }),
        )
        replication = await startServerProcess('@wesh/replication-server', [
          '--listen',
          '/ip4/127.0.0.1/tcp/0',
          '--http',
          '127.0.0.1:0',
          '--data',
          join(data, 'replication'),
          '--tokens',
          tokens,
          '--dht',
          'lan',
        ])
        servers.push(replication)
        timeline.say(
          'repl',
          `wesh-replication on ${replication.address}, HTTP API ${replication.http ?? '?'}`,
        )
      },
    )

    let alice: Device | undefined
    let bob: Device | undefined
    let carol: Device | undefined
    let bobChat: GroupSession | undefined
    await timeline.step(
      5,
      "Bob shows his card; Alice's request finds him through the rendezvous server; he accepts; they chat",
      async () => {
        alice = await start('Alice')
        bob = await start('Bob')
        carol = await start('Carol')
        const bobAccount = bob.account
        await bobAccount.enableContactRequests()
        const card = contactCardLink(bobAccount.contactCard(utf8ToBytes('Bob')))
        timeline.say('Bob', `contact card ${card.slice(0, 40)}…, as a QR code:`)
        timeline.show(await qrTerminal(card))
        const accepted = new Promise<GroupSession>((resolve, reject) => {
          bob?.contacts.addEventListener(
            'request:received',
            ({ detail }) => {
              timeline.say('Bob', `request from ${bytesToUtf8(detail.card.metadata)}: accepting`)
              bobAccount.acceptContactRequest(detail.card.accountId).then(resolve, reject)
            },
            { once: true },
          )
        })
        timeline.say('Alice', 'sends a contact request to the point on Bob’s card (PROTOCOL.md §6.1)')
        const aliceChat = await alice.contacts.send(card, utf8ToBytes('Alice'))
        bobChat = await accepted
        check(
          toHex(bobChat.group.publicKey) === toHex(aliceChat.group.publicKey),
          'both derive one contact group',
        )
        await aliceChat.send(utf8ToBytes('hi Bob, found you through a rendezvous point'))
        await bobChat.send(utf8ToBytes('hi Alice!'))
        const [bobView, aliceView] = await Promise.all([read(bobChat, 2), read(aliceChat, 2)])
        for (const message of [...bobView].reverse()) timeline.say('Bob', `reads "${text(message)}"`)
        check(
          bobView.map((m) => m.id).join() === aliceView.map((m) => m.id).join(),
          'same order on both sides',
        )
      },
    )

    let club: GroupSession | undefined
    let bobChatIds: string[] = []
    await timeline.step(
      6,
      'Alice invites Bob and Carol to a group; Bob links his phone and votes from both devices: one vote',
      async () => {
        if (!alice || !bob || !carol) throw new Error('step 5 did not run')
        club = await alice.account.createGroup({ name: 'Weekend' })
        const link = invitationLink(club.group)
        timeline.say('Alice', `group "Weekend", invitation ${link.slice(0, 40)}…`)
        const bobClub = await bob.account.joinGroup(link)
        const carolClub = await carol.account.joinGroup(link)
        timeline.say(
          'group',
          'members meet on the rendezvous points of the group’s logs: no address exchanged',
        )

        bob.linking = await DeviceLinking.start({ account: bob.account })
        const { text: code } = bob.linking.createLinkCode()
        timeline.say('Bob', `shows a one-time link code ${code.slice(0, 32)}… (5 minutes, one use)`)
        const phoneDir = join(root, 'Bob-phone')
        const phoneNode = await startNode(phoneDir)
        const phoneSecrets = await LevelSecretStore.open(join(phoneDir, 'secrets'), randomBytes(32))
        const phoneAccount = await linkDevice({ node: phoneNode, secrets: phoneSecrets, code })
        const phone = await ready('Bob²', phoneNode, phoneSecrets, phoneAccount)
        check(toHex(phoneAccount.accountId) === toHex(bob.account.accountId), 'the phone holds Bob’s account')
        const clubId = club.group.publicKey
        await phone.account.waitFor((state) => state.groups.has(toHex(clubId)))
        const phoneClub = await phone.account.group(clubId)
        timeline.say('Bob²', 'linked: learns the group from Bob’s account group and joins it')

        const sessions = [club, bobClub, carolClub, phoneClub]
        await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.chainKeys.size >= 4)))
        timeline.say('group', `${club.state.members.size} members, 4 devices, every chain key shared`)
        const pollId = await club.createPoll('Where do we meet?', ['park', 'café'])
        await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.polls.has(toHex(pollId)))))
        await bobClub.vote(pollId, 0)
        // The phone votes once it has seen the laptop's vote: its vote is then later in every replica's order.
        await phoneClub.waitFor((session) => (session.state.polls.get(toHex(pollId))?.votes.size ?? 0) >= 1)
        await phoneClub.vote(pollId, 1)
        await carolClub.vote(pollId, 1)
        timeline.say('Bob', 'votes "park" from his laptop, then "café" from his phone')
        const settled = (session: GroupSession) => {
          const poll = session.state.polls.get(toHex(pollId))
          return poll !== undefined && tallyPoll(poll).counts[1] === 2
        }
        await Promise.all(sessions.map((s) => s.waitFor(settled, { signal: AbortSignal.timeout(60_000) })))
        const poll = club.state.polls.get(toHex(pollId))
        if (!poll) throw new Error('poll missing')
        const { counts, voters } = tallyPoll(poll)
        timeline.say('Alice', `tally: park ${counts[0] ?? 0}, café ${counts[1] ?? 0} — ${voters} voters`)
        check(voters === 2 && counts[0] === 0 && counts[1] === 2, 'Bob counts once, with his last vote')
        await stop(phone)
      },
    )

    await timeline.step(
      7,
      'The replication server keeps the group; Carol, offline meanwhile, catches up from it alone',
      async () => {
        if (!alice || !bob || !carol || !club || !replication) throw new Error('step 6 did not run')
        await replicateGroup({
          session: club,
          libp2p: alice.node.libp2p,
          replica: replication.address,
          token: REPLICATION_TOKEN,
        })
        timeline.say(
          'Alice',
          'asks the replication server to keep "Weekend" and records it in the group (event 403)',
        )
        await stop(carol)
        const written = ['Saturday 10:00 at the café', 'bring a ball', 'Dan comes too']
        for (const line of written) await club.send(utf8ToBytes(line))
        timeline.say('Alice', `writes ${written.length} messages while Carol is offline`)
        await untilReplicated(replication, club.group.publicKey, written.length)
        timeline.say('repl', `holds the ${written.length} messages, sealed: it has no key to read them`)
        if (bobChat) bobChatIds = (await bobChat.messages()).map((m) => m.id)
        for (const device of [alice, bob]) await stop(device)
        timeline.say('group', 'every member is offline now; only the replication server holds the group')
        carol = await start('Carol')
        const back = await carol.account.group(club.group.publicKey)
        const read3 = await read(back, written.length)
        for (const message of [...read3].reverse()) timeline.say('Carol', `reads "${text(message)}"`)
        check(read3.length === written.length, 'Carol read every message from the replication server alone')
      },
    )

    await timeline.step(
      8,
      "Bob's node restarts from its directory: account, groups and messages are there",
      async () => {
        if (bobChatIds.length === 0) throw new Error('step 7 did not run')
        const restarted = await start('Bob')
        const groups = restarted.account.groups().length
        const contacts = restarted.account.contacts().length
        const chat = await restarted.account.group(
          restarted.account.contacts()[0]?.accountId ?? new Uint8Array(32),
        )
        const ids = (await chat.messages()).map((m) => m.id)
        timeline.say(
          'Bob',
          `back with ${groups} group, ${contacts} contact and ${ids.length} messages, read from disk`,
        )
        check(groups === 1 && contacts === 1, 'account state restored')
        check(ids.join() === bobChatIds.join(), 'nothing lost')
      },
    )
  } finally {
    for (const device of [...devices]) await stop(device)
    for (const server of servers) await server.stop()
    if (options.keep) timeline.say('demo', `data directories kept in ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}

/**
 * Resolves once the replication server's HTTP API (`GET /v1/groups/:id`) counts `count` message entries. The server
 * is another process: its API is the only way to see what it holds, so this asks every 100 ms, for a minute at most.
 */
async function untilReplicated(server: ServerProcess, groupId: Uint8Array, count: number): Promise<void> {
  if (server.http === undefined) throw new Error('the replication server has no HTTP API')
  const deadline = AbortSignal.timeout(60_000)
  for (;;) {
    const response = await fetch(`${server.http}/v1/groups/${toHex(groupId)}`, {
      headers: { authorization: `Bearer ${REPLICATION_TOKEN}` },
      signal: deadline,
    })
    const status = (await response.json()) as { messages?: { entries?: number } }
    if ((status.messages?.entries ?? 0) >= count) return
    await new Promise((resolve) => setTimeout(resolve, 100))
    deadline.throwIfAborted()
  }
}
