import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from '@wesh/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { LevelSecretStore, MemorySecretStore, type SecretStore } from '../../src/node/secret-store.js'

const dirs: string[] = []
afterEach(async () => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))))
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wesh-secrets-'))
  dirs.push(dir)
  return dir
}

describe.each([
  ['memory', () => Promise.resolve(new MemorySecretStore())],
  ['LevelDB, sealed', async () => LevelSecretStore.open(await tempDir(), randomBytes(32))],
  ['LevelDB, plain', async () => LevelSecretStore.open(await tempDir())],
] as const)('%s secret store', (_, create: () => Promise<SecretStore>) => {
  it('stores, lists and deletes secrets', async () => {
    const store = await create()
    const secret = randomBytes(32)
    await store.put('group/a/chain', secret)
    await store.put('group/b/chain', randomBytes(8))
    await store.put('account/key', randomBytes(32))
    expect(await store.get('group/a/chain')).toEqual(secret)
    expect(await store.names('group/')).toEqual(['group/a/chain', 'group/b/chain'])
    await store.delete('group/a/chain')
    expect(await store.get('group/a/chain')).toBeUndefined()
    await store.close()
  })
})

describe('LevelSecretStore', () => {
  it('keeps secrets across a restart, sealed on disk', async () => {
    const dir = await tempDir()
    const key = randomBytes(32)
    const secret = randomBytes(32)
    const store = await LevelSecretStore.open(dir, key)
    await store.put('account/key', secret)
    await store.close()
    for (const file of await readdir(dir)) {
      expect(Buffer.from(await readFile(join(dir, file))).includes(Buffer.from(secret))).toBe(false)
    }
    const reopened = await LevelSecretStore.open(dir, new Uint8Array(key))
    expect(await reopened.get('account/key')).toEqual(secret)
    await reopened.close()
  })

  it('refuses a wrong store key and a value moved under another name', async () => {
    const dir = await tempDir()
    const key = randomBytes(32)
    const store = await LevelSecretStore.open(dir, key)
    await store.put('a', randomBytes(32))
    await store.close()
    const wrong = await LevelSecretStore.open(dir, randomBytes(32))
    await expect(wrong.get('a')).rejects.toMatchObject({ code: 'SECRET_STORE_CORRUPT' })
    await wrong.close()
  })
})
