import { execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMultiMemberGroup } from '@wesh/groups'
import { MemorySecretStore, WeshAccount, createWeshNode } from '@wesh/groups/node'
import { replicationGroupOf, replicationGroupToJson } from '@wesh/replication'
import { ReplicationDeviceSync, offerReplicationDeviceLink } from '@wesh/replication/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { main, start, stop } from './server-process.js'

const TOKEN = 'a-token-for-alice-0123456789'

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('wesh-replication process', () => {
  let data: string
  const children: ChildProcess[] = []

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'wesh-repl-app-'))
    await writeFile(
      join(data, 'tokens.json'),
      JSON.stringify({ v: 1, tokens: [{ name: 'alice', token: TOKEN, maxGroups: 5 }] }),
    )
  })
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stop(child)))
  })
  afterAll(async () => {
    await rm(data, { recursive: true, force: true })
  })

  it('prints its help', () => {
    const help = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' })
    expect(help).toContain('--tokens <file>')
  })

  it('exits with 2 and the usage on a bad flag', () => {
    let status = 0
    try {
      execFileSync(process.execPath, [main, '--nope'], { stdio: 'pipe' })
    } catch (error) {
      status = (error as { status: number }).status
    }
    expect(status).toBe(2)
  })

  it('adds a group over HTTP, serves metrics, stops on SIGTERM with nothing left, and keeps its groups', async () => {
    const args = [
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--http',
      '127.0.0.1:0',
      '--data',
      join(data, 'repl'),
      '--tokens',
      join(data, 'tokens.json'),
      '--dht',
      'lan',
    ]
    const first = await start(args)
    children.push(first.child)
    const group = replicationGroupToJson(replicationGroupOf(createMultiMemberGroup().group))
    const post = (token: string) =>
      fetch(`${first.listening.http}/v1/groups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(group),
      })
    expect((await post('bad-token-0123456789')).status).toBe(401)
    const created = await post(TOKEN)
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ groupId: group.groupId, groupType: 3 })
    // Found by the API fuzz: a path outside the API and a method Node's HTTP parser refuses were answered without
    // the API's error JSON.
    const outside = await fetch(`${first.listening.http}/nothing`)
    expect(outside.status).toBe(404)
    expect(await outside.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
    const unknownMethod = await fetch(`${first.listening.http}/v1/groups`, { method: 'GE9#yT' })
    expect(unknownMethod.status).toBe(400)
    expect(await unknownMethod.json()).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } })
    const metrics = await (await fetch(`${first.listening.http}/metrics`)).text()
    expect(metrics).toContain('wesh_replication_groups 1')
    expect(metrics).toContain('wesh_replication_http_responses_total{status="201"} 1')
    expect(metrics).toContain('wesh_replication_http_responses_total{status="400"} 1')

    const pid = first.child.pid!
    expect(await stop(first.child)).toBe(0)
    children.pop()
    expect(alive(pid)).toBe(false)
    const logs = first
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string })
    expect(logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['listening', 'http', 'stopped']))

    const second = await start(args)
    children.push(second.child)
    expect(second.listening.peerId).toBe(first.listening.peerId)
    const status = await fetch(`${second.listening.http}/v1/groups/${group.groupId}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(status.status).toBe(200)
  })

  it('answers 507 STORAGE_FAILED when its disk fails, counts it, serves the groups it holds, and restarts on it', async () => {
    const repl = join(data, 'failing')
    const args = ['--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--data', repl, '--dht', 'lan']
    args.push('--tokens', join(data, 'tokens.json'))
    const first = await start(args)
    children.push(first.child)
    const api = (path: string, body?: unknown) =>
      fetch(`${first.listening.http}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    const held = replicationGroupToJson(replicationGroupOf(createMultiMemberGroup().group))
    expect((await api('/v1/groups', held)).status).toBe(201)

    // The directory in which the server creates each new log's LevelDB stores becomes a file: a real ENOTDIR.
    const logs = join(repl, 'node', 'logs')
    await rename(logs, `${logs}.aside`)
    await writeFile(logs, 'not a directory')
    const refused = replicationGroupToJson(replicationGroupOf(createMultiMemberGroup().group))
    const failed = await api('/v1/groups', refused)
    expect(failed.status).toBe(507)
    expect(await failed.json()).toMatchObject({ error: { code: 'STORAGE_FAILED' } })
    expect((await api(`/v1/groups/${held.groupId}`)).status).toBe(200)
    expect((await api(`/v1/groups/${refused.groupId}`)).status).toBe(404)
    const metrics = await (await fetch(`${first.listening.http}/metrics`)).text()
    expect(metrics).toContain('wesh_replication_storage_errors_total 1')
    expect(metrics).toContain('wesh_replication_groups 1')
    expect(metrics).toContain('wesh_replication_http_responses_total{status="507"} 1')
    expect(await stop(first.child)).toBe(0)
    children.pop()

    // Restarted on the failed disk, it starts all the same and says which group it could not open, and why.
    const second = await start(args)
    children.push(second.child)
    expect(await second.logged((line) => line.groupId === held.groupId)).toMatchObject({
      level: 'error',
      reason: 'ENOTDIR',
    })
    const restarted = await (await fetch(`${second.listening.http}/metrics`)).text()
    expect(restarted).toContain('wesh_replication_groups_unopened 1')
    expect(restarted).toContain('wesh_replication_groups 0')
    expect(restarted).toContain('wesh_replication_storage_errors_total 1')
  })

  it('links to an account with --link, as its replication device, and takes the groups its devices send', async () => {
    const node = await createWeshNode({
      directory: join(data, 'account-device'),
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
    })
    const account = await WeshAccount.open({ node, secrets: new MemorySecretStore() })
    const sync = ReplicationDeviceSync.start({ account })
    try {
      const offer = await offerReplicationDeviceLink({ account })
      const args = [
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
        '--http',
        '127.0.0.1:0',
        '--data',
        join(data, 'device'),
      ]
      const server = await start([...args, '--dht', 'lan', '--link', offer.text])
      children.push(server.child)
      const linked = await offer.linked
      expect(linked.peer.toString()).toBe(server.listening.peerId)
      const replicated = new Promise((resolve) =>
        sync.addEventListener('replicated', resolve, { once: true }),
      )
      const group = await account.createGroup({ name: 'kept by the replication device' })
      await replicated
      expect(group.state.replicas.has(linked.server)).toBe(true)
      const metrics = await (await fetch(`${server.listening.http}/metrics`)).text()
      expect(metrics).toContain('wesh_replication_linked_accounts 1')
      expect(metrics).toContain('wesh_replication_groups 2') // the account group and the new group
    } finally {
      await sync.stop()
      await account.close()
      await node.stop()
    }
  })
})
