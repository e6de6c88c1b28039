import type { Storage } from '@orbitdb/core'
import { concatBytes } from '@wesh/crypto'
import type { HeliaInit } from 'helia'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'

/** The node's own block store, as given to Helia: what is on this device, with no network behind it. */
export type LocalBlocks = Pick<NonNullable<HeliaInit['blockstore']>, 'get' | 'has'>

/**
 * Entry blocks read from the node's own block store first, and through Helia (bitswap, with its fetch timeout) only
 * when absent here. Helia's read asks the store `has` before `get` and takes a lock kept for a garbage collector no
 * Wesh node runs: measured here 186 µs a read against 37 µs for the store's own, and a catch-up reads each entry
 * 2 to 3 times (the sender to serve it, the receiver's session to read it). Writes still go through Helia, which
 * hands each new block to the peers and fetches waiting for it.
 */
export function localFirstBlocks(network: Storage, local: LocalBlocks): Storage {
  return {
    ...network,
    get: async (hash) => {
      const bytes = await readLocal(local, CID.parse(hash, base58btc))
      return bytes ?? network.get(hash)
    },
  }
}

/** The block under `cid` if this device holds it. */
export async function readLocal(local: LocalBlocks, cid: CID): Promise<Uint8Array | undefined> {
  try {
    const chunks: Uint8Array[] = []
    for await (const chunk of local.get(cid)) chunks.push(chunk)
    return chunks.length === 1 ? chunks[0] : concatBytes(...chunks)
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundError') return undefined
    throw error
  }
}
