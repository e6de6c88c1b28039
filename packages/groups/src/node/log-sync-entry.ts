import * as dagCbor from '@ipld/dag-cbor'
import type { AccessControllerInstance, EventsPayload, LogEntry } from '@orbitdb/core'
import { WeshError } from '@wesh/crypto'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'uint8arrays/equals'
import { GroupsErrorCode } from '../errors.js'
import type { EntrySignatureVerifier, PendingEntries } from './pending-entries.js'

/** One entry received by log sync: its block as sent, and the entry it holds. */
export interface SyncedEntry {
  readonly hash: string
  readonly bytes: Uint8Array
  readonly entry: LogEntry<EventsPayload>
}

/** What it takes to open and check the entries of one log. */
export interface LogEntryChecks {
  /** The log's address: OrbitDB's log id, which every entry of the log carries. */
  readonly address: string
  /** Opens an entry block's sealed bytes (the log's replication encryption). */
  readonly decrypt: (bytes: Uint8Array) => Promise<Uint8Array>
  readonly access: AccessControllerInstance
  readonly verifySignature: EntrySignatureVerifier
  readonly pending: PendingEntries
}

const DAG_CBOR = 0x71

/**
 * Opens a block sent under `hash`: its bytes must hash to that CID (dag-cbor, SHA-256), open under the log's key and
 * decode to an OrbitDB entry of this log. Throws `LOG_SYNC_BLOCK_MISMATCH` or `LOG_SYNC_WRONG_LOG`; checks no
 * signature (see {@link verifySyncedEntry}).
 */
export async function openSyncedBlock(
  checks: Pick<LogEntryChecks, 'address' | 'decrypt'>,
  hash: string,
  bytes: Uint8Array,
  peer: string,
): Promise<SyncedEntry> {
  let cid: CID
  try {
    cid = CID.parse(hash, base58btc)
  } catch (cause) {
    throw mismatch(hash, peer, cause)
  }
  const digest = await sha256.digest(bytes)
  if (cid.version !== 1 || cid.code !== DAG_CBOR || !equals(cid.multihash.bytes, digest.bytes)) {
    throw mismatch(hash, peer)
  }
  let entry: LogEntry<EventsPayload>
  try {
    const sealed = dagCbor.decode<unknown>(bytes)
    if (!(sealed instanceof Uint8Array)) throw new TypeError('not a sealed entry')
    const value = dagCbor.decode<unknown>(await checks.decrypt(sealed))
    entry = { ...asEntry(value), hash }
  } catch (cause) {
    throw wrongLog(hash, peer, 'the block is not an entry sealed for this log', cause)
  }
  if (entry.id !== checks.address) throw wrongLog(hash, peer, 'the entry belongs to another log')
  return { hash, bytes, entry }
}

/**
 * Checks an opened entry as OrbitDB's join would — the access controller, then the writer's signature over the
 * entry — and records the first for that join. Throws `LOG_SYNC_FORGED_ENTRY`.
 */
export async function verifySyncedEntry(
  checks: LogEntryChecks,
  synced: SyncedEntry,
  peer: string,
): Promise<void> {
  const { entry } = synced
  if (!(await checks.access.canAppend(entry)))
    throw forged(synced.hash, peer, 'the access controller refuses it')
  // The bytes OrbitDB signs and checks (its Entry.create / Entry.verify): the entry without key, identity, sig.
  const { id, payload, next, refs, clock } = entry
  const data = dagCbor.encode({ id, payload, next, refs, clock, v: 2 })
  if (!(await checks.verifySignature(entry.sig, entry.key, data))) {
    throw forged(synced.hash, peer, 'the writer signature does not verify')
  }
  checks.pending.admit(synced.hash)
}

/** The hashes an entry links to: OrbitDB joins follow both. */
export function parentsOf(entry: LogEntry<EventsPayload>): readonly string[] {
  return [...entry.next, ...entry.refs]
}

/** An OrbitDB v2 entry with every field OrbitDB reads, of the types it expects. */
function asEntry(value: unknown): Omit<LogEntry<EventsPayload>, 'hash'> {
  const entry = value as Record<string, unknown> | null
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string')
  const clock = entry?.clock as Record<string, unknown> | undefined
  const payload = entry?.payload as Record<string, unknown> | undefined
  const ok =
    entry !== null &&
    typeof entry === 'object' &&
    entry.v === 2 &&
    typeof entry.id === 'string' &&
    strings(entry.next) &&
    strings(entry.refs) &&
    typeof clock === 'object' &&
    typeof clock.id === 'string' &&
    typeof clock.time === 'number' &&
    typeof payload === 'object' &&
    typeof entry.key === 'string' &&
    typeof entry.identity === 'string' &&
    typeof entry.sig === 'string'
  if (!ok) throw new TypeError('not an OrbitDB entry')
  return entry as unknown as Omit<LogEntry<EventsPayload>, 'hash'>
}

function mismatch(hash: string, peer: string, cause?: unknown): WeshError {
  return new WeshError(GroupsErrorCode.LOG_SYNC_BLOCK_MISMATCH, 'a block does not match its CID', {
    cause,
    data: { peer, hash },
  })
}

function wrongLog(hash: string, peer: string, message: string, cause?: unknown): WeshError {
  return new WeshError(GroupsErrorCode.LOG_SYNC_WRONG_LOG, message, { cause, data: { peer, hash } })
}

function forged(hash: string, peer: string, message: string): WeshError {
  return new WeshError(GroupsErrorCode.LOG_SYNC_FORGED_ENTRY, message, { data: { peer, hash } })
}
