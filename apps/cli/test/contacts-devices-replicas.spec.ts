import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ContactView,
  GroupView,
  IdView,
  LinkEvent,
  MessageView,
  ReplicaView,
} from '../src/api/schema.js'
import {
  LOOPBACK_NETWORK,
  killAll,
  startWesh,
  wesh,
  weshError,
  weshJson,
  type LiveProcess,
} from './processes.js'
import { startRendezvousServer, startReplicationServer, type ServerProcess } from './servers.js'

interface Ready {
  event: 'ready'
  peerId: string
  addresses: string[]
}

describe('contacts through a rendezvous server, device linking, replication', () => {
  let root: string
  let carol: string
  let dave: string
  let carolPhone: string
  let rendezvous: ServerProcess
  let replication: ServerProcess & { token: string }
  const daemons: LiveProcess[] = []
  const servers: ServerProcess[] = []
  const on = (profile: string) => ['--profile', profile]
  let family: GroupView & { link: string }

  async function startDaemon(profile: string, extra: string[] = []) {
    const daemon = startWesh(['daemon', ...on(profile), ...LOOPBACK_NETWORK, ...extra, '--json'])
    daemons.push(daemon)
    return JSON.parse(await daemon.line((line) => line.includes('"ready"'))) as Ready
  }

  async function readUntil(profile: string, reference: string, texts: string[]): Promise<MessageView[]> {
    const reader = startWesh(['read', reference, '--follow', '--json', ...on(profile)])
    const messages = await Promise.all(
      texts.map(
        async (text) =>
          JSON.parse(await reader.line((line) => line.includes(JSON.stringify(text)))) as MessageView,
      ),
    )
    expect(await reader.stop('SIGINT')).toBe(0)
    return messages
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wesh-cli-contacts-'))
    carol = join(root, 'carol')
    dave = join(root, 'dave')
    carolPhone = join(root, 'carol-phone')
    ;[rendezvous, replication] = await Promise.all([
      startRendezvousServer(),
      startReplicationServer(),
      weshJson(['init', '--name', 'Carol', ...on(carol)]),
      weshJson(['init', '--name', 'Dave', ...on(dave)]),
    ])
    servers.push(rendezvous, replication)
    // No `peer connect`: the two find each other through the rendezvous server alone.
    await Promise.all([
      startDaemon(carol, ['--rendezvous', rendezvous.address]),
      startDaemon(dave, ['--rendezvous', rendezvous.address]),
    ])
  })

  afterAll(async () => {
    for (const daemon of daemons.splice(0)) await daemon.stop()
    for (const server of servers.splice(0)) await server.stop()
    await killAll()
    await rm(root, { recursive: true, force: true })
  })

  it('becomes contacts through the rendezvous server, then writes both ways', async () => {
    const card = await weshJson<IdView>(['id', ...on(dave)])
    expect(card.contactRequests).toBe(true) // `init` turns requests on
    const added = await wesh(['contact', 'add', '-', '--json', ...on(carol)], { input: `${card.link}\n` })
    expect(added.code, added.stdout + added.stderr).toBe(0)
    expect(JSON.parse(added.stdout)).toMatchObject({
      accountId: card.accountId,
      name: 'Dave',
      status: expect.stringMatching(/^outgoing-/),
      blocked: false,
    })
    const waiting = await weshJson<ContactView[]>(['contact', 'requests', '--wait', ...on(dave)])
    expect(waiting).toMatchObject([{ name: 'Carol', status: 'incoming-received' }])
    const text = await wesh(['contact', 'requests', ...on(dave)])
    expect(text.stdout).toMatch(/Carol\s+incoming-received/)
    const accepted = await weshJson<ContactView>(['contact', 'accept', 'carol', ...on(dave)])
    expect(accepted).toMatchObject({ status: 'accepted', group: expect.stringMatching(/^[0-9a-f]{64}$/) })
    // A contact is named like a group: by its name, or by a prefix of its account ID.
    await weshJson(['send', 'dave', 'hello Dave', ...on(carol)])
    await weshJson(['send', accepted.accountId.slice(0, 8), 'hello Carol', ...on(dave)])
    const atDave = await readUntil(dave, 'Carol', ['hello Dave', 'hello Carol'])
    expect(atDave.map((message) => message.self)).toEqual([false, true])
    await readUntil(carol, card.accountId.slice(0, 10), ['hello Dave', 'hello Carol'])
    const list = await weshJson<ContactView[]>(['contact', 'list', ...on(carol)])
    expect(list).toMatchObject([{ name: 'Dave', status: 'outgoing-sent' }])
  })

  it('blocks and unblocks, takes or stops taking requests, renews the card', async () => {
    expect(await weshJson<ContactView>(['contact', 'block', 'Carol', ...on(dave)])).toMatchObject({
      blocked: true,
    })
    expect(await weshJson<ContactView>(['contact', 'unblock', 'Carol', ...on(dave)])).toMatchObject({
      blocked: false,
    })
    expect((await weshJson<IdView>(['contact', 'disable', ...on(dave)])).contactRequests).toBe(false)
    expect((await wesh(['id', '--no-qr', ...on(dave)])).stdout).toContain('wesh contact enable')
    expect((await weshJson<IdView>(['contact', 'enable', ...on(dave)])).contactRequests).toBe(true)
    const before = await weshJson<IdView>(['id', ...on(dave)])
    const renewed = await weshJson<IdView>(['id', '--renew', ...on(dave)])
    expect(renewed.link).not.toBe(before.link)
    expect(renewed.accountId).toBe(before.accountId)
    // `wesh id` shows the card of the current seed from now on.
    expect((await weshJson<IdView>(['id', ...on(dave)])).link).toBe(renewed.link)
  })

  it('answers bad contact input with typed errors', async () => {
    const cases: [string[], string][] = [
      [['contact', 'accept', 'nobody'], 'CONTACT_UNKNOWN'],
      [['contact', 'discard', 'dave'], 'INVALID_CONTACT_STATE'],
      [['contact', 'add', 'wesh://contact/AAAA'], 'INVALID_CONTACT_CARD'],
      [['contact', 'add', 'not a card'], 'INVALID_CONTACT_CARD'],
      [['device', 'join', 'wesh://link/AAAA', ...on(join(root, 'never'))], 'INVALID_LINK_CODE'],
    ]
    const errors = await Promise.all(cases.map(([args]) => weshError([...on(carol), ...args])))
    expect(errors.map((error) => error.code)).toEqual(cases.map(([, code]) => code))
    expect(errors[0]!.hint).toContain('wesh contact list')
    // A code that does not parse leaves no profile behind.
    await expect(stat(join(root, 'never'))).rejects.toThrow()
  })

  it('links a second device by code: its profile holds the account and every group', async () => {
    family = await weshJson(['group', 'create', 'family', ...on(carol)])
    const link = startWesh(['device', 'link', '--json', ...on(carol)])
    const code = JSON.parse(await link.line((line) => line.includes('"code"'))) as LinkEvent & {
      link: string
    }
    expect(code.link).toMatch(/^wesh:\/\/link\//)
    const joined = await weshJson<{ accountId: string }>(['device', 'join', code.link, ...on(carolPhone)])
    const carolId = await weshJson<IdView>(['id', ...on(carol)])
    expect(joined.accountId).toBe(carolId.accountId)
    expect(JSON.parse(await link.line((line) => line.includes('"linked"')))).toMatchObject({
      event: 'linked',
    })
    expect(await link.exit()).toBe(0)
    // The code worked once.
    expect((await weshError(['device', 'join', code.link, ...on(join(root, 'twice'))])).code).toBe(
      'LINK_REFUSED',
    )
    await startDaemon(carolPhone)
    const groups = await weshJson<GroupView[]>(['group', 'list', ...on(carolPhone)])
    expect(groups.map((group) => group.id)).toContain(family.id)
    const contacts = await weshJson<ContactView[]>(['contact', 'list', ...on(carolPhone)])
    expect(contacts.map((contact) => contact.name)).toEqual(['Dave'])
    // --no-wait: the code, and back at once.
    const quick = await weshJson<LinkEvent>(['device', 'link', '--no-wait', ...on(carol)])
    expect(quick.event).toBe('code')
  })

  it('registers a group with a replication server and lists its replicas', async () => {
    const added = await weshJson<ReplicaView[]>([
      'replicate',
      'add',
      'family',
      replication.address,
      '--token',
      replication.token,
      ...on(carol),
    ])
    expect(added.map((replica) => replica.server)).toEqual([replication.address])
    const listed = await weshJson<ReplicaView[]>(['replicate', 'list', family.id.slice(0, 8), ...on(carol)])
    expect(listed).toEqual(added)
    const status = await wesh(['status', ...on(carol)])
    expect(status.stdout).toContain(`replica ${replication.address}`)
    expect(status.stdout).toContain(`rendezvous ${rendezvous.address}`)
    expect(status.stdout).toContain('dht (lan)')
    const cases: [string[], string][] = [
      [['replicate', 'add', 'family', replication.address, '--token', 'wrong'], 'REPLICA_TOKEN_REFUSED'],
      [['replicate', 'add', 'family', '/ip4/nonsense', '--token', 't'], 'PEER_UNREACHABLE'],
      [['replicate', 'add', 'family', '/ip4/127.0.0.1/tcp/1', '--token', 't'], 'MALFORMED_REQUEST'],
      [['replicate', 'list', 'nothing'], 'GROUP_UNKNOWN'],
    ]
    const errors = await Promise.all(cases.map(([args]) => weshError([...args, ...on(carol)])))
    expect(errors.map((error) => error.code)).toEqual(cases.map(([, code]) => code))
  })
})
