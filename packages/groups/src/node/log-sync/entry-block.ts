import * as dagCbor from '@ipld/dag-cbor'
import type { EncryptionModule, EventsPayload, LogEntry } from '@orbitdb/core'

/**
 * An entry block opened as OrbitDB's `Entry.decode` opens it — dag-cbor around the link-key seal, dag-cbor of the
 * entry inside — for a block whose CID (`hash`) the caller has already checked: OrbitDB's own decode hashes the
 * block twice more to work out CIDs that are known here.
 */
export async function openEntryBlock(
  hash: string,
  bytes: Uint8Array,
  decrypt: EncryptionModule['decrypt'],
): Promise<LogEntry<EventsPayload>> {
  const sealed: unknown = dagCbor.decode(bytes)
  if (!(sealed instanceof Uint8Array)) throw new TypeError('the block is not a sealed entry')
  const entry: unknown = dagCbor.decode(await decrypt(sealed))
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new TypeError('the sealed block does not hold an entry')
  return { ...(entry as LogEntry<EventsPayload>), hash }
}
