import { CID } from 'multiformats/cid'
import type { Uint8ArrayList } from 'uint8arraylist'
import * as pb from '../../proto/log-sync.js'
import {
  MAX_BATCH_BLOCKS,
  MAX_BATCH_BYTES,
  MAX_CID_BYTES,
  MAX_CREDIT,
  MAX_CREDIT_FRAME_BYTES,
  MAX_ENTRY_BLOCK_BYTES,
  MAX_HAVES,
  MAX_LOG_ADDRESS_CHARS,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  MAX_WANTS,
  MIN_BATCH_BYTES,
} from './constants.js'
import { LogSyncErrorCode, logSyncError } from './errors.js'

// The frames of /wesh/log-sync/1.0.0 (src/proto/log-sync.proto). Every decoder checks the frame's size first,
// then decodes with protons under count limits, then checks each field; any failure is MALFORMED_FRAME or
// FRAME_TOO_LARGE and nothing is half-decoded. Block and CID bytes are views into the frame.

export { LogSyncEnd } from '../../proto/log-sync.js'

/** The codec and hash of every OrbitDB entry block: dag-cbor, SHA-256. */
const DAG_CBOR = 0x71
const SHA2_256 = 0x12

/** The first frame of a walk, from the requester. */
export interface SyncRequest {
  readonly log: string
  readonly want: readonly CID[]
  readonly have: readonly CID[]
  /** At most this many entries; 0 for no limit. */
  readonly limit: number
  readonly credit: number
  readonly batchBytes: number
}

export interface SyncBlock {
  readonly cid: CID
  readonly data: Uint8Array
}

/** A frame from the responder: a batch of blocks, or the end of the walk with its reason. */
export type SyncResponse =
  | { readonly kind: 'batch'; readonly blocks: readonly SyncBlock[] }
  | { readonly kind: 'end'; readonly end: Exclude<pb.LogSyncEnd, pb.LogSyncEnd.CONTINUES> }

type Frame = 'request' | 'credit' | 'response'

export function encodeSyncRequest(request: SyncRequest): Uint8Array {
  return pb.LogSyncRequest.encode({
    log: request.log,
    want: request.want.map((cid) => cid.bytes),
    have: request.have.map((cid) => cid.bytes),
    limit: request.limit,
    credit: request.credit,
    batchBytes: request.batchBytes,
  })
}

export function decodeSyncRequest(bytes: Uint8Array | Uint8ArrayList): SyncRequest {
  const decoded = decodeFrame('request', bytes, MAX_REQUEST_BYTES, () =>
    pb.LogSyncRequest.decode(bytes, { limits: { want: MAX_WANTS, have: MAX_HAVES } }),
  )
  const { log, limit, credit, batchBytes } = decoded
  if (log.length === 0 || log.length > MAX_LOG_ADDRESS_CHARS) malformed('request', 'log address length')
  if (decoded.want.length === 0) malformed('request', 'nothing wanted')
  if (credit < 1 || credit > MAX_CREDIT) malformed('request', 'credit out of range')
  if (batchBytes < MIN_BATCH_BYTES || batchBytes > MAX_BATCH_BYTES)
    malformed('request', 'batch size out of range')
  return {
    log,
    want: decoded.want.map((cid) => entryCid('request', cid)),
    have: decoded.have.map((cid) => entryCid('request', cid)),
    limit,
    credit,
    batchBytes,
  }
}

export function encodeSyncCredit(batches: number): Uint8Array {
  return pb.LogSyncCredit.encode({ batches })
}

/** The number of batches granted, 1 to {@link MAX_CREDIT}. */
export function decodeSyncCredit(bytes: Uint8Array | Uint8ArrayList): number {
  const { batches } = decodeFrame('credit', bytes, MAX_CREDIT_FRAME_BYTES, () =>
    pb.LogSyncCredit.decode(bytes),
  )
  if (batches < 1 || batches > MAX_CREDIT) malformed('credit', 'credit out of range')
  return batches
}

export function encodeSyncResponse(response: SyncResponse): Uint8Array {
  if (response.kind === 'end') return pb.LogSyncResponse.encode({ end: response.end })
  return pb.LogSyncResponse.encode({
    blocks: response.blocks.map(({ cid, data }) => ({
      cid: cid.bytes,
      data: data as Uint8Array<ArrayBuffer>,
    })),
    end: pb.LogSyncEnd.CONTINUES,
  })
}

export function decodeSyncResponse(bytes: Uint8Array | Uint8ArrayList): SyncResponse {
  const decoded = decodeFrame('response', bytes, MAX_RESPONSE_BYTES, () =>
    pb.LogSyncResponse.decode(bytes, { limits: { blocks: MAX_BATCH_BLOCKS } }),
  )
  if (decoded.end !== pb.LogSyncEnd.CONTINUES) {
    if (decoded.blocks.length > 0) malformed('response', 'blocks in the end frame')
    return { kind: 'end', end: decoded.end }
  }
  if (decoded.blocks.length === 0) malformed('response', 'empty batch')
  return {
    kind: 'batch',
    blocks: decoded.blocks.map(({ cid, data }) => {
      if (data.length === 0 || data.length > MAX_ENTRY_BLOCK_BYTES) malformed('response', 'block size')
      return { cid: entryCid('response', cid), data }
    }),
  }
}

function decodeFrame<T>(frame: Frame, bytes: Uint8Array | Uint8ArrayList, max: number, decode: () => T): T {
  if (bytes.byteLength > max) {
    throw logSyncError(LogSyncErrorCode.FRAME_TOO_LARGE, `a ${frame} frame over ${max} bytes`, {
      data: { frame, max, actual: bytes.byteLength },
    })
  }
  try {
    return decode()
  } catch (cause) {
    throw logSyncError(LogSyncErrorCode.MALFORMED_FRAME, `the ${frame} frame is not valid protobuf`, {
      data: { frame, reason: 'protobuf' },
      cause,
    })
  }
}

/** A CIDv1 of a dag-cbor block hashed with SHA-256: what every OrbitDB entry is filed under. */
function entryCid(frame: Frame, bytes: Uint8Array): CID {
  if (bytes.length > MAX_CID_BYTES) malformed(frame, 'CID length')
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (cause) {
    return malformed(frame, 'CID', cause)
  }
  if (
    cid.version !== 1 ||
    cid.code !== DAG_CBOR ||
    cid.multihash.code !== SHA2_256 ||
    cid.multihash.size !== 32
  )
    malformed(frame, 'not the CID of an entry block')
  return cid
}

function malformed(frame: Frame, reason: string, cause?: unknown): never {
  throw logSyncError(LogSyncErrorCode.MALFORMED_FRAME, `the ${frame} frame is malformed: ${reason}`, {
    data: { frame, reason },
    ...(cause === undefined ? {} : { cause }),
  })
}
