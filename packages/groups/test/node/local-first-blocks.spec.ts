import type { Storage } from '@orbitdb/core'
import { describe, expect, it } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import * as Block from 'multiformats/block'
import { base58btc } from 'multiformats/bases/base58'
import { sha256 } from 'multiformats/hashes/sha2'
import { type LocalBlocks, localFirstBlocks } from '../../src/node/local-first-blocks.js'

const block = (value: string) => Block.encode({ value, codec: dagCbor, hasher: sha256 })

/** A block store holding `blocks`, answering as Helia's stores do (NotFoundError when absent). */
function localStore(blocks: Map<string, Uint8Array>): LocalBlocks {
  return {
    async *get(cid) {
      const bytes = await Promise.resolve(blocks.get(cid.toString(base58btc)))
      if (bytes === undefined) throw Object.assign(new Error('not found'), { name: 'NotFoundError' })
      yield bytes
    },
    has: (cid) => Promise.resolve(blocks.has(cid.toString(base58btc))),
  }
}

function networkStore(blocks: Map<string, Uint8Array>, asked: string[]): Storage {
  return {
    put: (hash, bytes) => {
      blocks.set(hash, bytes)
      return Promise.resolve()
    },
    get: (hash) => {
      asked.push(hash)
      return Promise.resolve(blocks.get(hash))
    },
    close: () => Promise.resolve(),
  }
}

describe('localFirstBlocks', () => {
  it('reads a block held here without asking the network, and one absent here from the network', async () => {
    const [here, away] = await Promise.all([block('here'), block('away')])
    const asked: string[] = []
    const storage = localFirstBlocks(
      networkStore(new Map([[away.cid.toString(base58btc), away.bytes]]), asked),
      localStore(new Map([[here.cid.toString(base58btc), here.bytes]])),
    )
    expect(await storage.get(here.cid.toString(base58btc))).toEqual(here.bytes)
    expect(asked).toEqual([])
    expect(await storage.get(away.cid.toString(base58btc))).toEqual(away.bytes)
    expect(asked).toEqual([away.cid.toString(base58btc)])
  })

  it('passes on a failure of the local store other than a missing block', async () => {
    const here = await block('here')
    const broken = {
      async *get() {
        yield await Promise.reject(new Error('disk error'))
      },
    } as unknown as LocalBlocks
    const storage = localFirstBlocks(networkStore(new Map(), []), broken)
    await expect(storage.get(here.cid.toString(base58btc))).rejects.toThrow('disk error')
  })
})
