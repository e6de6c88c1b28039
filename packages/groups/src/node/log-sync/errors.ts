import { WeshError, isWeshError } from '@wesh/crypto'

/**
 * Codes of `/wesh/log-sync/1.0.0` failures. The first group means the peer broke the protocol or lied: it is cut
 * off for the log and nothing it sent in that walk is kept. The second means the walk was interrupted and can
 * resume from where it stopped.
 */
export const LogSyncErrorCode = {
  /** A frame is not a valid protobuf of its message, or a field is out of range. `data`: `{ frame, reason }`. */
  MALFORMED_FRAME: 'LOG_SYNC_MALFORMED_FRAME',
  /** A frame is longer than its limit. `data`: `{ frame, max, actual? }`. */
  FRAME_TOO_LARGE: 'LOG_SYNC_FRAME_TOO_LARGE',
  /** A block's bytes do not hash to its CID. `data`: `{ cid }`. */
  BLOCK_CID_MISMATCH: 'LOG_SYNC_BLOCK_CID_MISMATCH',
  /** A block nobody asked for: not a wanted entry nor a link of a block received, or sent twice. `data`: `{ cid }`. */
  UNEXPECTED_BLOCK: 'LOG_SYNC_UNEXPECTED_BLOCK',
  /** A batch over the size the requester asked for. `data`: `{ max, actual }`. */
  OVERSIZED_BATCH: 'LOG_SYNC_OVERSIZED_BATCH',
  /** More entries than the request's limit. `data`: `{ limit }`. */
  LIMIT_EXCEEDED: 'LOG_SYNC_LIMIT_EXCEEDED',
  /** More batches than the requester granted credit for. `data`: `{ credit }`. */
  CREDIT_EXCEEDED: 'LOG_SYNC_CREDIT_EXCEEDED',
  /** A block that is not an entry of an OrbitDB log sealed with this group's link key. `data`: `{ cid, reason }`. */
  MALFORMED_ENTRY: 'LOG_SYNC_MALFORMED_ENTRY',
  /** An entry of another log than the one asked for. `data`: `{ cid }`. */
  ENTRY_FROM_ANOTHER_LOG: 'LOG_SYNC_ENTRY_FROM_ANOTHER_LOG',
  /** An entry refused by the log's access controller or whose writer signature does not verify. `data`: `{ cid, check }`. */
  FORGED_ENTRY: 'LOG_SYNC_FORGED_ENTRY',

  /** The stream ended or was reset before the walk's end. `data`: `{ reason }`. */
  STREAM_ENDED: 'LOG_SYNC_STREAM_ENDED',
  /** No frame for {@link FRAME_TIMEOUT_MS}. */
  TIMEOUT: 'LOG_SYNC_TIMEOUT',
  /** The caller's signal aborted, or the log closed. */
  ABORTED: 'LOG_SYNC_ABORTED',
  /** `loadOlder` or a join found no peer that could serve the entries. `data`: `{ missing }`. */
  NO_PEER: 'LOG_SYNC_NO_PEER',
} as const
export type LogSyncErrorCode = (typeof LogSyncErrorCode)[keyof typeof LogSyncErrorCode]

const MISBEHAVIOUR: ReadonlySet<string> = new Set([
  LogSyncErrorCode.MALFORMED_FRAME,
  LogSyncErrorCode.FRAME_TOO_LARGE,
  LogSyncErrorCode.BLOCK_CID_MISMATCH,
  LogSyncErrorCode.UNEXPECTED_BLOCK,
  LogSyncErrorCode.OVERSIZED_BATCH,
  LogSyncErrorCode.LIMIT_EXCEEDED,
  LogSyncErrorCode.CREDIT_EXCEEDED,
  LogSyncErrorCode.MALFORMED_ENTRY,
  LogSyncErrorCode.ENTRY_FROM_ANOTHER_LOG,
  LogSyncErrorCode.FORGED_ENTRY,
])

/** True when `error` means the peer broke the protocol or lied (rather than a walk cut short). */
export function isPeerMisbehaviour(error: unknown): error is WeshError {
  return isWeshError(error) && MISBEHAVIOUR.has(error.code)
}

export function logSyncError(
  code: LogSyncErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; cause?: unknown } = {},
): WeshError {
  return new WeshError(code, message, options)
}
