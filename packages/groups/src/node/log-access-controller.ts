import * as dagCbor from '@ipld/dag-cbor'
import {
  IPFSBlockStorage,
  type AccessControllerInstance,
  type LogEntry,
  type EventsPayload,
} from '@orbitdb/core'
import { isWeshError, toHex } from '@wesh/crypto'
import { verifyEntryAsync } from '../entry.js'
import type { Helia } from 'helia'
import * as Block from 'multiformats/block'
import { base58btc } from 'multiformats/bases/base58'
import { sha256 } from 'multiformats/hashes/sha2'

/** Identifies the access controller in OrbitDB manifests. */
export const WESH_ACCESS_CONTROLLER_TYPE = 'wesh'

export interface LogAccessControllerOptions {
  readonly ipfs: Helia
  readonly groupId: Uint8Array
  readonly signPublicKey: Uint8Array
  /** Called for every entry refused, so the node can count and log forgeries. */
  readonly onRejected?: (entry: LogEntry<EventsPayload>) => void
}

/**
 * The access controller of both logs of a group (PROTOCOL.md §5 "Writers and order"): an entry is admitted
 * only if its payload is a SignedEntry signed by the group's sign key. Its parameters are the group ID and the
 * sign public key, so every member — and a replication server, which has no secret — derives the same log
 * address. The parameters are stored as a dag-cbor block, as OrbitDB's own controllers do.
 */
export async function createLogAccessController(
  options: LogAccessControllerOptions,
): Promise<AccessControllerInstance> {
  const { ipfs, groupId, signPublicKey, onRejected } = options
  const storage = await IPFSBlockStorage({ ipfs, pin: true })
  const { cid, bytes } = await Block.encode({
    value: { type: WESH_ACCESS_CONTROLLER_TYPE, groupId: toHex(groupId), signPub: toHex(signPublicKey) },
    codec: dagCbor,
    hasher: sha256,
  })
  const hash = cid.toString(base58btc)
  await storage.put(hash, bytes)
  return {
    type: WESH_ACCESS_CONTROLLER_TYPE,
    address: `/${WESH_ACCESS_CONTROLLER_TYPE}/${hash}`,
    write: ['*'], // writers are anonymous per-device identities; the signature decides
    async canAppend(entry) {
      const value = entry.payload.value
      const admitted = value instanceof Uint8Array && (await isSignedBy(signPublicKey, value))
      if (!admitted) onRejected?.(entry)
      return admitted
    },
  }
}

async function isSignedBy(signPublicKey: Uint8Array, bytes: Uint8Array): Promise<boolean> {
  try {
    await verifyEntryAsync(signPublicKey, bytes)
    return true
  } catch (error) {
    if (isWeshError(error)) return false
    throw error
  }
}
