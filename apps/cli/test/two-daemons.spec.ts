import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GroupView, IdView, MessageView, PollView, StatusView } from '../src/api/schema.js'
import { MAX_REQUEST_BYTES } from '../src/constants.js'
import {
  LOOPBACK_NETWORK,
  killAll,
  startWesh,
  startWeshInTerminal,
  wesh,
  weshError,
  weshJson,
  type LiveProcess,
} from './processes.js'

interface Ready {
  event: 'ready'
  peerId: string
  addresses: string[]
  api: string
}

/** util-linux `script` gives the interactive chat a pseudo-terminal. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

describe('two wesh daemons on loopback', () => {
  let root: string
  let xdg: string
  let alice: string // the default profile, found through $XDG_DATA_HOME
  let bob: string
  const env = () => ({ XDG_DATA_HOME: xdg, WESH_PROFILE: '' })
  const on = (profile: string) => ['--profile', profile]
  const daemons: { process: LiveProcess; ready: Ready }[] = []
  let group: GroupView & { link: string }
  let atAlice: { process: LiveProcess; ready: Ready }
  let atBob: { process: LiveProcess; ready: Ready }

  async function startDaemon(profile: string) {
    const process = startWesh(['daemon', ...on(profile), ...LOOPBACK_NETWORK, '--json'], { env: env() })
    const ready = JSON.parse(await process.line((line) => line.includes('"ready"'))) as Ready
    daemons.push({ process, ready })
    return { process, ready }
  }

  /** Follows a group with `wesh read --follow --json` until every text has arrived; returns those messages. */
  async function readUntil(profile: string, reference: string, texts: string[]): Promise<MessageView[]> {
    const reader = startWesh(['read', reference, '--follow', '--json', ...on(profile)], { env: env() })
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
    root = await mkdtemp(join(tmpdir(), 'wesh-cli-'))
    xdg = join(root, 'xdg')
    alice = join(xdg, 'wesh')
    bob = join(root, 'bob')
    const [first, second] = await Promise.all([
      weshJson<{ profile: string; accountId: string }>(['init', '--name', 'Alice'], { env: env() }),
      weshJson<{ profile: string; accountId: string }>(['init', '--name', 'Bob', ...on(bob)], { env: env() }),
    ])
    expect(first.profile).toBe(alice)
    expect(second.profile).toBe(bob)
    expect(first.accountId).toMatch(/^[0-9a-f]{64}$/)
  })

  afterAll(async () => {
    for (const { process } of daemons) await process.stop()
    await killAll()
    await rm(root, { recursive: true, force: true })
  })

  it('init keeps the store key owner-only and refuses a second init', async () => {
    expect((await stat(join(alice, 'store-key'))).mode & 0o777).toBe(0o600)
    expect((await stat(alice)).mode & 0o777).toBe(0o700)
    const again = await weshError(['init', ...on(bob)], { env: env() })
    expect(again.code).toBe('PROFILE_EXISTS')
    expect(again.hint).toContain('--profile')
  })

  it('says clearly when no daemon runs, or when the profile does not exist', async () => {
    const error = await weshError(['status', ...on(bob)], { env: env() })
    expect(error.code).toBe('DAEMON_NOT_RUNNING')
    expect(error.hint).toContain('wesh daemon')
    const text = await wesh(['group', 'list', ...on(bob)], { env: env() })
    expect(text.code).toBe(1)
    expect(text.stderr).toMatch(/^error DAEMON_NOT_RUNNING: .*\nhint: .*wesh daemon/)
    expect((await weshError(['status', ...on(join(root, 'nowhere'))], { env: env() })).code).toBe(
      'PROFILE_NOT_FOUND',
    )
  })

  it('starts both daemons, writes an owner-only token, and refuses a second daemon on a profile', async () => {
    ;[atAlice, atBob] = await Promise.all([startDaemon(alice), startDaemon(bob)])
    expect((await stat(join(bob, 'api-token'))).mode & 0o777).toBe(0o600)
    const twice = await weshError(['daemon', ...on(bob), ...LOOPBACK_NETWORK], { env: env() })
    expect(twice.code).toBe('DAEMON_ALREADY_RUNNING')
    // The default profile answers without --profile.
    const status = await weshJson<StatusView>(['status'], { env: env() })
    expect(status.peerId).toBe(atAlice.ready.peerId)
  })

  it('connects the peers and shows the contact card as a link and a QR code', async () => {
    const bobAddress = atBob.ready.addresses[0]!
    const connected = await weshJson<{ peer: string }>(['peer', 'connect', bobAddress, ...on(alice)], {
      env: env(),
    })
    expect(connected.peer).toBe(atBob.ready.peerId)
    const id = await weshJson<IdView>(['id', ...on(bob)], { env: env() })
    expect(id).toMatchObject({ name: 'Bob', link: expect.stringMatching(/^wesh:\/\/contact\//) })
    const text = await wesh(['id', ...on(bob)], { env: env() })
    expect(text.stdout).toContain(id.link)
    expect(text.stdout).toMatch(/[▀▄█]/) // the QR code's half blocks
    expect((await wesh(['id', '--no-qr', ...on(bob)], { env: env() })).stdout).not.toMatch(/[▀▄█]/)
  })

  it('creates a group on one daemon and joins it from the other by invitation', async () => {
    group = await weshJson(['group', 'create', 'club', ...on(alice)], { env: env() })
    expect(group).toMatchObject({ name: 'club', link: expect.stringMatching(/^wesh:\/\/group\//) })
    const invitation = await weshJson<{ link: string }>(['group', 'invite', 'club', ...on(alice)], {
      env: env(),
    })
    expect(invitation.link).toBe(group.link)
    // The link arrives on standard input, and `--wait` returns once Alice's events are here.
    const joined = await wesh(['group', 'join', '-', '--wait', '--json', ...on(bob)], {
      env: env(),
      input: `${group.link}\n`,
    })
    expect(joined.code, joined.stdout + joined.stderr).toBe(0)
    expect((JSON.parse(joined.stdout) as GroupView).id).toBe(group.id)
    const listed = await weshJson<GroupView[]>(['group', 'list', ...on(bob)], { env: env() })
    expect(listed.map((view) => view.id)).toEqual([group.id])
  })

  it('sends and reads both ways, naming the group by name or by ID prefix', async () => {
    await weshJson(['send', 'club', 'hello', 'from', 'Alice', ...on(alice)], { env: env() })
    await weshJson(['send', group.id.slice(0, 6), 'hi from Bob', ...on(bob)], { env: env() })
    const atBob = await readUntil(bob, 'club', ['hello from Alice', 'hi from Bob'])
    const atAlice = await readUntil(alice, group.id.slice(0, 8), ['hello from Alice', 'hi from Bob'])
    expect(atBob.map((message) => message.self)).toEqual([false, true])
    expect(atAlice.map((message) => message.self)).toEqual([true, false])
    expect(atAlice[1]!.sender).toBe(atBob[1]!.sender)
    const text = await wesh(['read', 'club', ...on(bob)], { env: env() })
    expect(text.stdout).toMatch(/: hello from Alice\n/)
    expect(text.stdout).toContain('me: hi from Bob')
    // Both members are known to both sides.
    const members = await weshJson<GroupView['members']>(['group', 'members', 'club', ...on(alice)], {
      env: env(),
    })
    expect(members.filter((member) => member.self)).toHaveLength(1)
  })

  it('streams new messages to a follower as they are sent', async () => {
    const reader = startWesh(['read', 'club', '--follow', '--limit', '1', '--json', ...on(bob)], {
      env: env(),
    })
    // The daemon listens for new messages before it reads history: once history is here, nothing can be missed.
    await reader.line(() => true)
    await weshJson(['send', 'club', 'live message', ...on(alice)], { env: env() })
    const line = await reader.line((text) => text.includes('live message'))
    expect(JSON.parse(line)).toMatchObject({ text: 'live message', self: false, group: group.id })
    expect(await reader.stop('SIGINT')).toBe(0)
  })

  it('chats interactively: typed lines are sent, messages stream in', async () => {
    const chat = startWesh(['chat', 'club', ...on(bob)], { env: env() })
    await chat.line((line) => line.endsWith(': hello from Alice')) // history first
    chat.child.stdin!.write('typed in the chat\n')
    await readUntil(alice, 'club', ['typed in the chat'])
    await weshJson(['send', 'club', 'answer to the chat', ...on(alice)], { env: env() })
    await chat.line((line) => line.endsWith(': answer to the chat'))
    chat.child.stdin!.end() // Ctrl-D
    expect(await chat.exit()).toBe(0)
  })

  it.skipIf(!hasScript)(
    'chats in a terminal: a prompt, typed lines sent, messages printed above it',
    async () => {
      const chat = startWeshInTerminal(['chat', 'club', ...on(bob)], { env: env() })
      await chat.line((line) => line.includes('club> '))
      chat.child.stdin!.write('typed in a terminal\r')
      await readUntil(alice, 'club', ['typed in a terminal'])
      await weshJson(['send', 'club', 'back to the terminal', ...on(alice)], { env: env() })
      await chat.line((line) => line.includes(': back to the terminal'))
      chat.child.stdin!.write('\x04') // Ctrl-D
      expect(await chat.exit()).toBe(0)
    },
  )

  it('runs a poll: one vote per member, the last one counts', async () => {
    const created = await weshJson<PollView>(
      ['poll', 'create', 'club', 'Pizza tonight?', 'yes', 'no', ...on(alice)],
      { env: env() },
    )
    expect(created.options).toEqual([
      { text: 'yes', votes: 0 },
      { text: 'no', votes: 0 },
    ])
    const prefix = created.id.slice(0, 8)
    await weshJson(['poll', 'show', 'club', prefix, '--wait', ...on(bob)], { env: env() })
    await weshJson(['poll', 'vote', 'club', prefix, 'no', ...on(bob)], { env: env() })
    const voted = await weshJson<PollView>(['poll', 'vote', 'club', prefix, '1', ...on(bob)], { env: env() })
    expect(voted).toMatchObject({ myVote: 0, voters: 1 })
    await weshJson(['poll', 'vote', 'club', prefix, 'yes', ...on(alice)], { env: env() })
    const tally = await weshJson<PollView>(['poll', 'show', 'club', prefix, '--voters', '2', ...on(alice)], {
      env: env(),
    })
    expect(tally.options.map((option) => option.votes)).toEqual([2, 0])
    const text = await wesh(['poll', 'show', 'club', ...on(alice)], { env: env() })
    expect(text.stdout).toContain('Pizza tonight? (2 voters)')
    expect((await weshError(['poll', 'vote', 'club', prefix, '3', ...on(alice)], { env: env() })).code).toBe(
      'INVALID_ARGUMENT',
    )
    expect((await weshError(['poll', 'show', 'club', 'zz', ...on(alice)], { env: env() })).code).toBe(
      'POLL_UNKNOWN',
    )
  })

  it('answers bad input with typed error codes', async () => {
    const cases: [string[], string][] = [
      [['send', 'no-such-group', 'text'], 'GROUP_UNKNOWN'],
      [['read', 'ffffffffff'], 'GROUP_UNKNOWN'],
      [['group', 'join', 'wesh://group/AAAA'], 'INVALID_INVITATION'],
      [['group', 'join', 'not a link'], 'INVALID_INVITATION'],
      [['peer', 'connect', '/ip4/nonsense'], 'PEER_UNREACHABLE'],
      [
        ['poll', 'create', 'club', 'empty?', ...Array.from({ length: 65 }, (_, i) => `o${i}`)],
        'INVALID_ARGUMENT',
      ],
    ]
    const codes = await Promise.all(
      cases.map(async ([args]) => (await weshError([...args, ...on(alice)], { env: env() })).code),
    )
    expect(codes).toEqual(cases.map(([, code]) => code))
    await weshJson(['group', 'create', 'twin', ...on(alice)], { env: env() })
    await weshJson(['group', 'create', 'twin', ...on(alice)], { env: env() })
    const ambiguous = await weshError(['send', 'twin', 'x', ...on(alice)], { env: env() })
    expect(ambiguous.code).toBe('AMBIGUOUS_GROUP')
    expect(ambiguous.data?.matches).toHaveLength(2)
  })

  it('guards the API: a token is required, and bodies stop at MAX_REQUEST_BYTES', async () => {
    const { url } = JSON.parse(await readFile(join(bob, 'api.json'), 'utf8')) as { url: string }
    const token = (await readFile(join(bob, 'api-token'), 'utf8')).trim()
    const noToken = await fetch(`${url}/v1/status`)
    expect(noToken.status).toBe(401)
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED')
    const post = (size: number) => {
      const filler = 'a'.repeat(size - JSON.stringify({ text: '' }).length)
      return fetch(`${url}/v1/groups/club/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: filler }),
      })
    }
    const over = await post(MAX_REQUEST_BYTES + 1)
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST')
    const at = await post(MAX_REQUEST_BYTES)
    // Read in full and handed to the group, which refuses a message over its own payload limit.
    expect(((await at.json()) as { error?: { code: string } }).error?.code).not.toBe('BAD_REQUEST')
  })

  it('stops gracefully on SIGTERM and removes its API files', async () => {
    for (const { process } of daemons.splice(0)) expect(await process.stop('SIGTERM')).toBe(0)
    await expect(stat(join(alice, 'api.json'))).rejects.toThrow()
    await expect(stat(join(bob, 'api-token'))).rejects.toThrow()
    expect((await weshError(['status', ...on(bob)], { env: env() })).code).toBe('DAEMON_NOT_RUNNING')
  })
})
