import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { LevelRegistrationStore } from '../src/level.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})
async function dir(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'wesh-rdv-'))
  dirs.push(path)
  return path
}
const NOW = 1_800_000_000_000
const reg = (namespace: string, peerId: string, expiresAt: number) => ({
  namespace,
  peerId,
  signedPeerRecord: Uint8Array.of(1, 2, 3),
  expiresAt,
})

describe('LevelRegistrationStore', () => {
  it('keeps registrations, sequence numbers and epoch across a reopen, dropping expired ones', async () => {
    const path = await dir()
    const store = await LevelRegistrationStore.open(path, NOW)
    await store.put(reg('a', 'p1', NOW + 10_000))
    await store.put(reg('a', 'p2', NOW + 1_000))
    const last = await store.put(reg('b', 'p1', NOW + 10_000))
    await store.delete('b', 'p1')
    const epoch = store.epoch
    await store.close()

    const reopened = await LevelRegistrationStore.open(path, NOW + 5_000)
    expect(reopened.epoch).toEqual(epoch)
    const listed = await reopened.list('a', 0, 10, NOW + 5_000)
    expect(listed.map((r) => r.peerId)).toEqual(['p1'])
    expect(listed[0]?.signedPeerRecord).toEqual(Uint8Array.of(1, 2, 3))
    expect(await reopened.countByPeer('p1', NOW + 5_000)).toBe(1)
    // Sequence numbers keep growing after the reopen, even past deleted ones.
    expect((await reopened.put(reg('c', 'p3', NOW + 10_000))).seq).toBeGreaterThan(last.seq)
    expect(await reopened.prune(NOW + 20_000)).toBe(2)
    await reopened.close()
    const empty = await LevelRegistrationStore.open(path, NOW + 20_000)
    expect(await empty.size(NOW + 20_000)).toBe(0)
    await empty.close()
  })

  it('lists by ascending sequence number after a reopen, whatever the key order', async () => {
    const path = await dir()
    const store = await LevelRegistrationStore.open(path, NOW)
    for (const peer of ['p9', 'p1', 'p5', 'p3']) await store.put(reg('a', peer, NOW + 10_000))
    await store.close()
    const reopened = await LevelRegistrationStore.open(path, NOW)
    expect((await reopened.list('a', 0, 10, NOW)).map((r) => r.peerId)).toEqual(['p9', 'p1', 'p5', 'p3'])
    const second = (await reopened.list('a', 0, 2, NOW)).at(-1)!.seq
    expect((await reopened.list('a', second, 10, NOW)).map((r) => r.peerId)).toEqual(['p5', 'p3'])
    await reopened.close()
  })

  it('skips unreadable records instead of failing to open', async () => {
    const path = await dir()
    const store = await LevelRegistrationStore.open(path, NOW)
    await store.put(reg('a', 'p1', NOW + 10_000))
    await store.close()
    const db = new ClassicLevel<string, string>(path, { valueEncoding: 'utf8' })
    await db.put('r:["a","bad"]', '{"v":2}')
    await db.put('r:["a","worse"]', 'not json')
    await db.close()
    const reopened = await LevelRegistrationStore.open(path, NOW)
    expect(reopened.skipped).toBe(2)
    expect(await reopened.size(NOW)).toBe(1)
    await reopened.close()
  })
})
