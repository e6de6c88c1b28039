import { readFileSync } from 'node:fs'
import { fromHex, toHex } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import { linkKeyEncryption } from '../../src/node/index.js'

type Case = { name: string; linkKey: string; block: string; sealed: string }
const { replicationBlocks } = JSON.parse(
  readFileSync(new URL('../vectors/groups.json', import.meta.url), 'utf8'),
) as { replicationBlocks: Case[] }

describe('replication-level encryption of log blocks', () => {
  it.each(replicationBlocks.map((v) => [v.name, v] as const))(
    'matches the independent vector %s',
    async (_, v) => {
      const module = linkKeyEncryption(fromHex(v.linkKey))
      expect(toHex(await module.encrypt(fromHex(v.block)))).toBe(v.sealed)
      expect(toHex(await module.decrypt(fromHex(v.sealed)))).toBe(v.block)
    },
  )

  it('gives the same bytes for the same block, so a re-encoded entry keeps its CID', async () => {
    const module = linkKeyEncryption(new Uint8Array(32).fill(7))
    const block = new TextEncoder().encode('entry')
    expect(await module.encrypt(block)).toEqual(await module.encrypt(block))
  })

  it('refuses a block sealed under another link key, or altered', async () => {
    const sealed = await linkKeyEncryption(new Uint8Array(32).fill(1)).encrypt(new Uint8Array([1, 2, 3]))
    await expect(linkKeyEncryption(new Uint8Array(32).fill(2)).decrypt(sealed)).rejects.toThrow()
    sealed[sealed.length - 1]! ^= 1
    await expect(linkKeyEncryption(new Uint8Array(32).fill(1)).decrypt(sealed)).rejects.toThrow()
    await expect(linkKeyEncryption(new Uint8Array(32)).decrypt(new Uint8Array(39))).rejects.toThrow()
  })
})
