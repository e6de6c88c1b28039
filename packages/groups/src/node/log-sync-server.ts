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

async function collectBatch(log: ServedLog, request: LogSyncRequest): Promise<OutgoingLogSyncBatch> {
  const wanted = new Set(request.want)
  const stop = new Set(request.have)
  // Along `next` links first, breadth-first: newest first, which a receiver keeping a partial history relies on.
  // `refs` point further back, to entries a `next` walk reaches later; they are served last, if the walk did not.
  const byNext = [...wanted]
  const byRefs: string[] = []
  const blocks: { hash: string; bytes: Uint8Array }[] = []
  const missing: string[] = []
  let size = 0
  let nextAt = 0
  let refsAt = 0
  while (blocks.length < request.maxBlocks) {
    const hash = nextAt < byNext.length ? byNext[nextAt++] : byRefs[refsAt++]
    if (hash === undefined) break
    if (stop.has(hash)) continue
    stop.add(hash) // sent, or found missing: once per batch
    const bytes = (await log.has(hash)) ? await log.block(hash) : undefined
    const entry = bytes === undefined ? undefined : await log.get(hash)
    if (bytes === undefined || entry === undefined) {
      if (wanted.has(hash)) missing.push(hash)
      continue
    }
    size += bytes.byteLength + hash.length + BLOCK_OVERHEAD_BYTES
    if (size > MAX_LOG_SYNC_BATCH_BYTES) break
    blocks.push({ hash, bytes })
    byNext.push(...entry.next)
    byRefs.push(...entry.refs)
  }
  return { blocks, missing }
}
