import type { Stream } from '@libp2p/interface'
import type { EventsPayload, LogEntry } from '@orbitdb/core'
import {
  type LogSyncRequest,
  type OutgoingLogSyncBatch,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_REQUEST_BYTES,
  decodeLogSyncRequest,
  encodeLogSyncBatch,
} from './log-sync-codec.js'
import { frame, unframe } from './length-prefixed-frames.js'

/** What the sender side reads of one log: entries it holds (indexed), their blocks as stored. */
export interface ServedLog {
  has(hash: string): Promise<boolean>
  get(hash: string): Promise<LogEntry<EventsPayload> | undefined>
  block(hash: string): Promise<Uint8Array | undefined>
}

/** Room kept in a batch frame for the protobuf tags and lengths around the blocks. */
const BLOCK_OVERHEAD_BYTES = 256
/** Entries read ahead of the walk per batch at most, beyond those the batch may hold. */
const SERVE_READ_AHEAD = 32

/**
 * Answers one log-sync stream: every request gets one batch, read from local storage only — the wanted entries the
 * log holds, then their ancestors breadth-first along `next` links (newest first), never past the receiver's heads, up to the
 * receiver's `max_blocks` and `MAX_LOG_SYNC_BATCH_BYTES`. The receiver asks for the next batch when it is ready
 * for it, which is all the flow control a slow link needs; the stream's own back-pressure does the rest.
 */
export async function serveLogSync(
  stream: Stream,
  logFor: (address: string) => ServedLog | undefined,
  signal: AbortSignal,
  onServed?: (blocks: number) => void,
): Promise<void> {
  for await (const bytes of unframe(stream, MAX_LOG_SYNC_REQUEST_BYTES, 'log-sync request')) {
    const request = decodeLogSyncRequest(bytes)
    const log = logFor(request.address)
    const batch = log === undefined ? { blocks: [], missing: request.want } : await collectBatch(log, request)
    if (!stream.send(frame(encodeLogSyncBatch(batch), MAX_LOG_SYNC_BATCH_BYTES, 'log-sync batch'))) {
      await stream.onDrain({ signal })
    }
    onServed?.(batch.blocks.length)
  }
  await stream.close({ signal })
}

/** One batch for `request`, read from `log` (exported for its tests). */
export async function collectBatch(log: ServedLog, request: LogSyncRequest): Promise<OutgoingLogSyncBatch> {
  const wanted = new Set(request.want)
  const stop = new Set(request.have)
  // Along `next` links first, breadth-first: newest first, which a receiver keeping a partial history relies on.
  // `refs` point further back, to entries a `next` walk reaches later; they are served last, if the walk did not.
  const byNext = [...wanted]
  const byRefs: string[] = []
  const blocks: { hash: string; bytes: Uint8Array }[] = []
  const missing: string[] = []
  // Reads start as soon as a hash is known, so that those a `refs` link names ahead of the walk are ready when it
  // gets there: a log written by one device is a chain of `next` links, which alone would allow one read at a time.
  const reads = new Map<string, Promise<ServedEntry | undefined>>()
  const read = (hash: string) => {
    let reading = reads.get(hash)
    if (reading === undefined) {
      reading = readServed(log, hash)
      reads.set(hash, reading)
    }
    return reading
  }
  const readAhead = (hashes: readonly string[]) => {
    for (const hash of hashes) {
      if (reads.size >= request.maxBlocks + SERVE_READ_AHEAD) return
      if (!stop.has(hash)) read(hash).catch(() => undefined) // its error, if any, comes when the walk awaits it
    }
  }
  let size = 0
  let nextAt = 0
  let refsAt = 0
  while (blocks.length < request.maxBlocks) {
    const hash = nextAt < byNext.length ? byNext[nextAt++] : byRefs[refsAt++]
    if (hash === undefined) break
    if (stop.has(hash)) continue
    stop.add(hash) // sent, or found missing: once per batch
    const served = await read(hash)
    if (served === undefined) {
      if (wanted.has(hash)) missing.push(hash)
      continue
    }
    size += served.bytes.byteLength + hash.length + BLOCK_OVERHEAD_BYTES
    if (size > MAX_LOG_SYNC_BATCH_BYTES) break
    blocks.push({ hash, bytes: served.bytes })
    const { next, refs } = served.entry
    byNext.push(...next)
    byRefs.push(...refs)
    readAhead(next)
    readAhead(refs)
  }
  return { blocks, missing }
}

interface ServedEntry {
  readonly bytes: Uint8Array
  readonly entry: LogEntry<EventsPayload>
}

/**
 * An entry of the log with its block as stored, or undefined when this node does not hold it. Only indexed entries
 * are served (joined and checked here); their blocks come from local storage, never from the network.
 */
async function readServed(log: ServedLog, hash: string): Promise<ServedEntry | undefined> {
  if (!(await log.has(hash))) return undefined
  const bytes = await log.block(hash)
  const entry = bytes === undefined ? undefined : await log.get(hash)
  return bytes === undefined || entry === undefined ? undefined : { bytes, entry }
}
