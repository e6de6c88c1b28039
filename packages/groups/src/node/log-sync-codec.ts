import { WeshError } from '@wesh/crypto'
import type { Uint8ArrayList } from 'uint8arraylist'
import { GroupsErrorCode } from '../errors.js'
import { LogSyncBatch, LogSyncRequest } from '../proto/log-sync.js'
import { MAX_HEAD_FRAME_BYTES } from './framed-head-exchange.js'

export type { LogSyncBatch, LogSyncBlock, LogSyncRequest } from '../proto/log-sync.js'

/** The protocol of bulk log catch-up between two Wesh nodes (README "Log sync"). */
export const LOG_SYNC_PROTOCOL = '/wesh/log-sync/1.0.0'

/** Blocks in one batch at most; a receiver asks for fewer on a slow link. */
export const MAX_LOG_SYNC_BATCH_BLOCKS = 512
/** One entry block at most: the same bound as a head in the head exchange. */
export const MAX_LOG_SYNC_BLOCK_BYTES = MAX_HEAD_FRAME_BYTES
/** One batch frame at most; the sender stops adding blocks before it. */
export const MAX_LOG_SYNC_BATCH_BYTES = 4 * 1024 * 1024
/** Hashes in a request's `want`, in its `have`, and in a batch's `missing`, each. */
export const MAX_LOG_SYNC_HASHES = 1_024
/** One hash (a base58btc CID string) at most. */
export const MAX_LOG_SYNC_HASH_LENGTH = 128
/** One request frame at most: two full hash lists and the address. */
export const MAX_LOG_SYNC_REQUEST_BYTES = 2 * MAX_LOG_SYNC_HASHES * (MAX_LOG_SYNC_HASH_LENGTH + 3) + 1_024

/** `pb(LogSyncRequest)`; throws as {@link decodeLogSyncRequest} would for values outside the limits. */
export function encodeLogSyncRequest(request: LogSyncRequest): Uint8Array {
  checkRequest(request)
  return LogSyncRequest.encode(request)
}

/**
 * A request as received. Throws `MESSAGE_TOO_LARGE` over `MAX_LOG_SYNC_REQUEST_BYTES` and `MALFORMED_MESSAGE` for
 * anything else out of bounds (too many hashes, `max_blocks` 0 or over `MAX_LOG_SYNC_BATCH_BLOCKS`).
 */
export function decodeLogSyncRequest(bytes: Uint8Array | Uint8ArrayList): LogSyncRequest {
  if (bytes.byteLength > MAX_LOG_SYNC_REQUEST_BYTES) {
    throw tooLarge('LogSyncRequest', MAX_LOG_SYNC_REQUEST_BYTES, bytes.byteLength)
  }
  const request = decodeWith('LogSyncRequest', () =>
    LogSyncRequest.decode(bytes, { limits: { want: MAX_LOG_SYNC_HASHES, have: MAX_LOG_SYNC_HASHES } }),
  )
  checkRequest(request)
  return request
}

/** A batch to send: blocks as read from storage, wanted hashes not held. */
export interface OutgoingLogSyncBatch {
  readonly blocks: readonly { readonly hash: string; readonly bytes: Uint8Array }[]
  readonly missing: readonly string[]
}

/** `pb(LogSyncBatch)`; throws `MESSAGE_TOO_LARGE` over `MAX_LOG_SYNC_BATCH_BYTES`. */
export function encodeLogSyncBatch(batch: OutgoingLogSyncBatch): Uint8Array {
  const bytes = LogSyncBatch.encode(batch as LogSyncBatch)
  if (bytes.byteLength > MAX_LOG_SYNC_BATCH_BYTES) {
    throw tooLarge('LogSyncBatch', MAX_LOG_SYNC_BATCH_BYTES, bytes.byteLength)
  }
  return bytes
}

/**
 * A batch as received in answer to a request for `maxBlocks`. Throws `MESSAGE_TOO_LARGE` over
 * `MAX_LOG_SYNC_BATCH_BYTES` or for a block over `MAX_LOG_SYNC_BLOCK_BYTES`, `LOG_SYNC_PROTOCOL_VIOLATION` for more
 * blocks than asked, and `MALFORMED_MESSAGE` for anything else out of bounds.
 */
export function decodeLogSyncBatch(bytes: Uint8Array | Uint8ArrayList, maxBlocks: number): LogSyncBatch {
  if (bytes.byteLength > MAX_LOG_SYNC_BATCH_BYTES) {
    throw tooLarge('LogSyncBatch', MAX_LOG_SYNC_BATCH_BYTES, bytes.byteLength)
  }
  const batch = decodeWith('LogSyncBatch', () =>
    LogSyncBatch.decode(bytes, { limits: { blocks: maxBlocks, missing: MAX_LOG_SYNC_HASHES } }),
  )
  for (const block of batch.blocks) {
    checkHash(block.hash, 'LogSyncBlock.hash')
    if (block.bytes.byteLength > MAX_LOG_SYNC_BLOCK_BYTES) {
      throw tooLarge('LogSyncBlock', MAX_LOG_SYNC_BLOCK_BYTES, block.bytes.byteLength)
    }
  }
  for (const hash of batch.missing) checkHash(hash, 'LogSyncBatch.missing')
  return batch
}

function decodeWith<T>(message: string, decode: () => T): T {
  try {
    return decode()
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'MaxLengthError') {
      throw new WeshError(GroupsErrorCode.LOG_SYNC_PROTOCOL_VIOLATION, `a ${message} has too many items`, {
        cause,
        data: { message, reason: 'too-many-items' },
      })
    }
    throw new WeshError(GroupsErrorCode.MALFORMED_MESSAGE, `bytes are not a ${message}`, {
      cause,
      data: { message },
    })
  }
}

function checkRequest(request: LogSyncRequest): void {
  if (request.maxBlocks < 1 || request.maxBlocks > MAX_LOG_SYNC_BATCH_BLOCKS) {
    throw malformed('LogSyncRequest.max_blocks', {
      max: MAX_LOG_SYNC_BATCH_BLOCKS,
      actual: request.maxBlocks,
    })
  }
  if (request.want.length > MAX_LOG_SYNC_HASHES || request.have.length > MAX_LOG_SYNC_HASHES) {
    throw new WeshError(GroupsErrorCode.LOG_SYNC_PROTOCOL_VIOLATION, 'a LogSyncRequest has too many hashes', {
      data: { message: 'LogSyncRequest', reason: 'too-many-items', max: MAX_LOG_SYNC_HASHES },
    })
  }
  if (request.address.length > MAX_LOG_SYNC_HASH_LENGTH * 2) throw malformed('LogSyncRequest.address', {})
  for (const hash of request.want) checkHash(hash, 'LogSyncRequest.want')
  for (const hash of request.have) checkHash(hash, 'LogSyncRequest.have')
}

function checkHash(hash: string, field: string): void {
  if (hash.length === 0 || hash.length > MAX_LOG_SYNC_HASH_LENGTH) {
    throw malformed(field, { max: MAX_LOG_SYNC_HASH_LENGTH, actual: hash.length })
  }
}

function malformed(field: string, data: Record<string, unknown>): WeshError {
  return new WeshError(GroupsErrorCode.MALFORMED_MESSAGE, `${field} is out of bounds`, {
    data: { message: field, ...data },
  })
}

function tooLarge(message: string, max: number, actual: number): WeshError {
  return new WeshError(GroupsErrorCode.MESSAGE_TOO_LARGE, `a ${message} is over its limit`, {
    data: { message, max, actual },
  })
}
