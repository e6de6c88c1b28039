import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeviceLinking, linkDevice, qrTerminal } from '@wesh/contacts'
import { bytesToUtf8, randomBytes, toHex, utf8ToBytes } from '@wesh/crypto'
import { contactCardLink, invitationLink, tallyPoll } from '@wesh/groups'
import { type GroupSession, LevelSecretStore } from '@wesh/groups/node'
import { replicateGroup } from '@wesh/replication/node'
import { isDirectTransportConnection } from '@wesh/transport-ble'
import { browserJoins } from './browser-step.js'
import { Cast, type Device, read, text, waitForText } from './cast.js'
import { type ServerProcess, startServerProcess } from './server-process.js'
import { check, type Timeline } from './timeline.js'

const REPLICATION_TOKEN = toHex(randomBytes(16))
export const LAST_STEP = 6
/** The optional step of `--browser`, after the others. */
export const BROWSER_STEP = 7

/** What the steps hand on to the next ones. */
export interface Story {
  cast: Cast
  rendezvous: ServerProcess
  replication: ServerProcess
  alice?: Device
  bob?: Device
  carol?: Device
  bobChat?: GroupSession
  club?: GroupSession
  bobClub?: GroupSession
  carolClub?: GroupSession
  clubLink?: string
  pollId?: Uint8Array
  bobChatIds?: string[]
}

/**
 * The seed's story on real nodes and real servers on loopback: a rendezvous server and a replication server run
 * as their own processes; Alice, Bob, Carol and Dan run Wesh nodes (libp2p over TCP, Helia and OrbitDB on LevelDB,
 * one directory each) that find each other only through rendezvous points, the DHT and, with no internet, the
 * Bluetooth radio (simulated).
 */
export async function nodeStory(
  timeline: Timeline,
  options: { keep: boolean; browser: boolean },
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wesh-demo-'))
  const servers: ServerProcess[] = []
  let story: Story | undefined
  // Each step after the first goes on from what the ones before it left; without it, it fails at once.
  const after = (run: (story: Story, timeline: Timeline) => Promise<void>) => () => {
    if (!story) throw new Error('step 1 did not run')
    return run(story, timeline)
  }
  try {
    await timeline.step(
      1,
      "Two servers start; Bob shows his card; Alice's request finds him via the rendezvous server; they chat",
      async () => {
        story = await startServers(root, servers, timeline)
        await contactRequest(story, timeline)
      },
    )
    await timeline.step(
      2,
      'A group of three, Carol found through the DHT; Bob votes from two devices: one vote',
      after(groupAndPoll),
    )
    await timeline.step(
      3,
      'No internet: Bob and Carol chat over Bluetooth; back online, all three agree',
      after(bluetoothIsland),
    )
    await timeline.step(
      4,
      'Alice links a second device by code: it sees every contact and group',
      after(secondDevice),
    )
    await timeline.step(
      5,
      'Everyone offline, the replication server alone serves Carol and a newcomer, Dan',
      after(replicationServer),
    )
    await timeline.step(
      6,
      "Bob's node restarts from its directory: account, groups and messages are there",
      after(restart),
    )
    if (options.browser)
      await timeline.step(
        BROWSER_STEP,
        'A browser (the web client in headless Chromium) joins "Weekend" by its invitation and chats',
        after(browserJoins),
      )
  } finally {
    await story?.cast.stopAll()
    for (const server of servers) await server.stop()
    if (options.keep) timeline.say('demo', `data directories kept in ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}

/** The two servers an operator would run, as their own processes; both reachable on loopback only. */
async function startServers(root: string, servers: ServerProcess[], timeline: Timeline): Promise<Story> {
  const data = join(root, 'servers')
  await mkdir(data, { recursive: true })
  const tokens = join(data, 'tokens.json')
  await writeFile(
    tokens,
    JSON.stringify({ v: 1, tokens: [{ name: 'demo', token: REPLICATION_TOKEN, maxGroups: 10 }] }),
  )
  const started = await Promise.allSettled([
    startServerProcess('@wesh/rendezvous-server', [
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--data',
      join(data, 'rendezvous'),
    ]),
    startServerProcess('@wesh/replication-server', [
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
    ]),
  ])
  for (const result of started) if (result.status === 'fulfilled') servers.push(result.value)
  const [rendezvous, replication] = started.map((result) => {
    if (result.status === 'rejected') throw result.reason
    return result.value
  }) as [ServerProcess, ServerProcess]
  timeline.say('rdv', `wesh-rendezvous process on ${rendezvous.address}`)
  timeline.say('repl', `wesh-replication process on ${replication.address} (also the DHT's bootstrap peer)`)
  const cast = new Cast(root, { rendezvous: rendezvous.address, bootstrap: replication.address }, timeline)
  return { cast, rendezvous, replication }
}

async function contactRequest(story: Story, timeline: Timeline): Promise<void> {
  const { cast } = story
  const alice = (story.alice = await cast.start('Alice'))
  const bob = (story.bob = await cast.start('Bob', { bluetooth: true }))
  story.carol = await cast.start('Carol', { bluetooth: true, dhtOnly: true })
  await bob.account.enableContactRequests()
  const card = contactCardLink(bob.account.contactCard(utf8ToBytes('Bob')))
  timeline.say('Bob', `contact card ${card.slice(0, 40)}…, as a QR code:`)
  timeline.show(await qrTerminal(card))
  const accepted = new Promise<GroupSession>((resolve, reject) => {
    bob.contacts.addEventListener(
      'request:received',
      ({ detail }) => {
        timeline.say('Bob', `request from ${bytesToUtf8(detail.card.metadata)}: accepting`)
        bob.account.acceptContactRequest(detail.card.accountId).then(resolve, reject)
      },
      { once: true },
    )
  })
  timeline.say('Alice', 'sends a contact request to the point on Bob’s card (PROTOCOL.md §6.1)')
  const aliceChat = await alice.contacts.send(card, utf8ToBytes('Alice'))
  const bobChat = (story.bobChat = await accepted)
  check(toHex(bobChat.group.publicKey) === toHex(aliceChat.group.publicKey), 'both derive one contact group')
  await aliceChat.send(utf8ToBytes('hi Bob, found you through a rendezvous point'))
  await bobChat.send(utf8ToBytes('hi Alice!'))
  const [bobView, aliceView] = await Promise.all([read(bobChat, 2), read(aliceChat, 2)])
  for (const message of [...bobView].reverse()) timeline.say('Bob', `reads "${text(message)}"`)
  check(bobView.map((m) => m.id).join() === aliceView.map((m) => m.id).join(), 'same order on both sides')
}

async function groupAndPoll(story: Story, timeline: Timeline): Promise<void> {
  const { cast, alice, bob, carol } = story
  if (!alice || !bob || !carol) throw new Error('step 1 did not run')
  const club = (story.club = await alice.account.createGroup({ name: 'Weekend' }))
  const link = (story.clubLink = invitationLink(club.group))
  timeline.say('Alice', `group "Weekend", invitation ${link.slice(0, 40)}…`)
  const bobClub = (story.bobClub = await bob.account.joinGroup(link))
  const carolClub = (story.carolClub = await carol.account.joinGroup(link))
  timeline.say('group', 'members meet on the rendezvous points of the group’s logs: no address exchanged')
  await carolClub.waitFor((session) => session.state.members.size >= 3)
  timeline.say('Carol', 'uses no rendezvous server: she and the others found each other through the DHT')

  bob.linking = await DeviceLinking.start({ account: bob.account })
  const { text: code } = bob.linking.createLinkCode()
  timeline.say('Bob', `shows a one-time link code ${code.slice(0, 32)}… (5 minutes, one use)`)
  const phone = await linked(cast, 'Bob²', code)
  check(toHex(phone.account.accountId) === toHex(bob.account.accountId), 'the phone holds Bob’s account')
  const clubId = club.group.publicKey
  await phone.account.waitFor((state) => state.groups.has(toHex(clubId)))
  const phoneClub = await phone.account.group(clubId)
  timeline.say('Bob²', 'linked: learns the group from Bob’s account group and joins it')

  const sessions = [club, bobClub, carolClub, phoneClub]
  await Promise.all(sessions.map((s) => s.waitFor((session) => session.state.chainKeys.size >= 4)))
  timeline.say('group', `${club.state.members.size} members, 4 devices, every chain key shared`)
  const pollId = (story.pollId = await club.createPoll('Where do we meet?', ['park', 'café']))
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
  await Promise.all(sessions.map((s) => s.waitFor(settled)))
  const { counts, voters } = tally(club, pollId)
  timeline.say('Alice', `tally: park ${counts[0] ?? 0}, café ${counts[1] ?? 0} — ${voters} voters`)
  check(voters === 2 && counts[0] === 0 && counts[1] === 2, 'Bob counts once, with his last vote')
  await cast.stop(phone)
}

async function bluetoothIsland(story: Story, timeline: Timeline): Promise<void> {
  const { cast, alice, bob, carol, club, bobClub, carolClub } = story
  if (!alice || !bob || !carol || !club || !bobClub || !carolClub) throw new Error('step 2 did not run')
  for (const device of [bob, carol]) await cast.cutTcp(device)
  timeline.say('group', 'Bob and Carol lose the internet: their nodes refuse TCP both ways')
  const overBluetooth = new Promise<void>((resolve) => {
    const opened = ({ detail }: CustomEvent<Parameters<typeof isDirectTransportConnection>[0]>) => {
      if (!isDirectTransportConnection(detail)) return
      bob.node.libp2p.removeEventListener('connection:open', opened)
      resolve()
    }
    bob.node.libp2p.addEventListener('connection:open', opened)
  })
  cast.radio.moveDevice('Carol', 'Bob') // Carol walks into Bob's Bluetooth range
  await overBluetooth
  timeline.say(
    'Bob',
    'his radio hears Carol’s advertisement and connects over BLE; they swap local records there (§2)',
  )
  const before = (await club.messages()).length
  await bobClub.send(utf8ToBytes('no internet here — over Bluetooth'))
  await club.send(utf8ToBytes('Alice, still online'))
  await carolClub.send(utf8ToBytes('got it, over Bluetooth too'))
  const island = await read(carolClub, before + 2)
  for (const message of island.slice(0, 2).reverse()) timeline.say('Carol', `reads "${text(message)}"`)
  check(
    !island.some((message) => text(message) === 'Alice, still online'),
    'Alice’s message cannot reach the island',
  )

  for (const device of [bob, carol]) cast.restoreTcp(device)
  const aliceAddress = alice.node.libp2p.getMultiaddrs()[0]
  if (!aliceAddress) throw new Error('Alice listens on no address')
  for (const device of [bob, carol]) await device.node.libp2p.dial(aliceAddress)
  timeline.say('group', 'Bob and Carol are back online')
  const views = await Promise.all([club, bobClub, carolClub].map((session) => read(session, before + 3)))
  const orders = views.map((view) => view.map((message) => message.id).join())
  check(
    orders.every((order) => order === orders[0]),
    'all three show the same order',
  )
  timeline.say(
    'group',
    `all three, in one order: ${(views[0] ?? []).slice(0, 3).map(text).reverse().join(' · ')}`,
  )
}

async function secondDevice(story: Story, timeline: Timeline): Promise<void> {
  const { cast, alice, club } = story
  if (!alice || !club) throw new Error('step 2 did not run')
  alice.linking = await DeviceLinking.start({ account: alice.account })
  const { text: code } = alice.linking.createLinkCode()
  timeline.say('Alice', `shows a link code on her laptop: ${code.slice(0, 32)}…`)
  const tablet = await linked(cast, 'Alice²', code)
  const contacts = alice.account.contacts().length
  const groups = alice.account.groups().length
  await tablet.account.waitFor((state) => state.contacts.size >= contacts && state.groups.size >= groups)
  const names = tablet.account.contacts().map((contact) => bytesToUtf8(contact.metadata))
  timeline.say(
    'Alice²',
    `linked: ${tablet.account.contacts().length} contact (${names.join(', ')}), ${tablet.account.groups().length} group`,
  )
  const tabletClub = await tablet.account.group(club.group.publicKey)
  await tabletClub.waitFor((session) => session.state.chainKeys.size >= 4)
  await tabletClub.send(utf8ToBytes('hello from Alice’s tablet'))
  await waitForText(club, 'hello from Alice’s tablet')
  timeline.say('Alice', 'reads "hello from Alice’s tablet" on her laptop')
  check(
    tablet.account.contacts().length === contacts && tablet.account.groups().length === groups,
    'every contact and group',
  )
  await cast.stop(tablet)
}

async function replicationServer(story: Story, timeline: Timeline): Promise<void> {
  const { cast, alice, bob, carol, club, clubLink, pollId, replication } = story
  if (!alice || !bob || !carol || !club || !clubLink || !pollId) throw new Error('step 2 did not run')
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
  await cast.stop(carol)
  const written = ['Saturday 10:00 at the café', 'bring a ball', 'Dan comes too']
  const heldBefore = (await club.messages()).length
  for (const line of written) await club.send(utf8ToBytes(line))
  timeline.say('Alice', `writes ${written.length} messages while Carol is offline`)
  const held = heldBefore + written.length
  await untilReplicated(replication, club, held)
  timeline.say(
    'repl',
    `holds the whole group: all ${held} messages and the metadata log, sealed: it has no key to read them`,
  )
  if (story.bobChat) story.bobChatIds = (await story.bobChat.messages()).map((m) => m.id)
  for (const device of [alice, bob]) await cast.stop(device)
  timeline.say('group', 'every member is offline now; only the replication server holds the group')

  const carolBack = await cast.start('Carol', { dhtOnly: true })
  const carolClub = await carolBack.account.group(club.group.publicKey)
  await waitForText(carolClub, written.at(-1) ?? '')
  for (const line of written) timeline.say('Carol', `reads "${line}"`)
  await cast.stop(carolBack)

  const dan = await cast.start('Dan')
  const danClub = await dan.account.joinGroup(clubLink)
  await danClub.waitFor((session) => (session.state.polls.get(toHex(pollId))?.votes.size ?? 0) >= 2)
  const { counts } = tally(danClub, pollId)
  timeline.say(
    'Dan',
    `joins by invitation: from the server alone, ${danClub.state.members.size} members, poll "Where do we meet?" café ${counts[1] ?? 0}`,
  )
  const readable = (await danClub.messages()).length
  timeline.say(
    'Dan',
    `holds the ${held} earlier messages and can read ${readable}: they were sealed before he joined`,
  )
  check(readable === 0, 'Dan cannot read what was sent before he joined')

  story.alice = await cast.start('Alice')
  const aliceClub = await story.alice.account.group(club.group.publicKey)
  timeline.say('Alice', 'comes back from disk; sees Dan through the server and shares her chain key with him')
  await aliceClub.waitFor((session) => session.state.members.size >= 4)
  await aliceClub.send(utf8ToBytes('welcome Dan!'))
  await waitForText(danClub, 'welcome Dan!')
  timeline.say('Dan', `reads "welcome Dan!" — and still none of the ${held} before`)
  check((await danClub.messages()).length === 1, 'Dan reads what was sent after he joined, only that')
}

async function restart(story: Story, timeline: Timeline): Promise<void> {
  const { cast, bobChatIds } = story
  if (!bobChatIds) throw new Error('step 5 did not run')
  const bob = await cast.start('Bob')
  const groups = bob.account.groups().length
  const contacts = bob.account.contacts()
  const chat = await bob.account.group(contacts[0]?.accountId ?? new Uint8Array(32))
  const ids = (await chat.messages()).map((m) => m.id)
  timeline.say(
    'Bob',
    `back with ${groups} group, ${contacts.length} contact and ${ids.length} messages, read from disk`,
  )
  check(groups === 1 && contacts.length === 1, 'account state restored')
  check(ids.join() === bobChatIds.join(), 'nothing lost')
}

/** A new device linked to an existing account by a link code (§6.3). */
async function linked(cast: Cast, name: string, code: string): Promise<Device> {
  const node = await cast.node(name)
  const secrets = await LevelSecretStore.open(join(node.directory, 'secrets'), randomBytes(32))
  return cast.enter(name, node, secrets, await linkDevice({ node, secrets, code }))
}

function tally(session: GroupSession, pollId: Uint8Array) {
  const poll = session.state.polls.get(toHex(pollId))
  if (!poll) throw new Error('poll missing')
  return tallyPoll(poll)
}

/**
 * Resolves once the replication server's HTTP API (`GET /v1/groups/:id`) shows the heads `session` has of both logs
 * and `count` message entries: it then holds all of the group, the metadata log too, which a newcomer must read from
 * it alone. The server is another process: its API is the only way to see what it holds, so this asks every
 * 100 ms, for a minute at most.
 */
async function untilReplicated(server: ServerProcess, session: GroupSession, count: number): Promise<void> {
  if (server.http === undefined) throw new Error('the replication server has no HTTP API')
  const deadline = AbortSignal.timeout(60_000)
  const same = (a: readonly string[] = [], b: readonly string[]) =>
    [...a].sort().join() === [...b].sort().join()
  for (;;) {
    const response = await fetch(`${server.http}/v1/groups/${toHex(session.group.publicKey)}`, {
      headers: { authorization: `Bearer ${REPLICATION_TOKEN}` },
      signal: deadline,
    })
    type Log = { entries?: number; heads?: string[] }
    const status = (await response.json()) as { metadata?: Log; messages?: Log }
    const ours = await session.heads()
    if (
      (status.messages?.entries ?? 0) >= count &&
      same(status.metadata?.heads, ours.metadata) &&
      same(status.messages?.heads, ours.messages)
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 100))
    deadline.throwIfAborted()
  }
}
