import fc from 'fast-check'
import { isWeshError } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  MAX_LOG_SYNC_BATCH_BLOCKS,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_BLOCK_BYTES,
  MAX_LOG_SYNC_HASHES,
  MAX_LOG_SYNC_HASH_LENGTH,
  MAX_LOG_SYNC_REQUEST_BYTES,
  decodeLogSyncBatch,
  decodeLogSyncRequest,
  encodeLogSyncBatch,
  encodeLogSyncRequest,
} from '../../src/node/log-sync-codec.js'
import { LogSyncBatch, LogSyncRequest } from '../../src/proto/log-sync.js'
import { FUZZ_RUNS, expectCode, paddedProtobuf } from '../helpers.js'

const hash = fc.string({ minLength: 1, maxLength: MAX_LOG_SYNC_HASH_LENGTH, unit: 'grapheme-ascii' })
const request = fc.record({
  address: fc.string({ maxLength: 80 }),
  want: fc.array(hash, { maxLength: 20 }),
  have: fc.array(hash, { maxLength: 20 }),
  maxBlocks: fc.integer({ min: 1, max: MAX_LOG_SYNC_BATCH_BLOCKS }),
})
const batch = fc.record({
  blocks: fc.array(fc.record({ hash, bytes: fc.uint8Array({ maxLength: 64 }) }), { maxLength: 20 }),
  missing: fc.array(hash, { maxLength: 20 }),
})
const hashes = (n: number) => Array.from({ length: n }, (_, i) => `zdpu${i}`)
const block = (bytes = 1) => ({ hash: 'zdpu', bytes: new Uint8Array(bytes) })

describe('log-sync codec', () => {
  it('round-trips requests and batches', () => {
    fc.assert(
      fc.property(request, (value) => {
        expect(decodeLogSyncRequest(encodeLogSyncRequest(value))).toEqual(value)
      }),
      { numRuns: FUZZ_RUNS },
    )
    fc.assert(
      fc.property(batch, (value) => {
        expect(decodeLogSyncBatch(encodeLogSyncBatch(value), MAX_LOG_SYNC_BATCH_BLOCKS)).toEqual(value)
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('fails on any bytes with a WeshError only', () => {
    const weshErrorOnly = (decode: () => unknown) => {
      try {
        decode()
      } catch (error) {
        expect(isWeshError(error)).toBe(true)
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        weshErrorOnly(() => decodeLogSyncRequest(bytes))
        weshErrorOnly(() => decodeLogSyncBatch(bytes, 4))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('takes MAX_LOG_SYNC_HASHES hashes and refuses one more', () => {
    const at = {
      address: 'a',
      want: hashes(MAX_LOG_SYNC_HASHES),
      have: hashes(MAX_LOG_SYNC_HASHES),
      maxBlocks: 1,
    }
    expect(decodeLogSyncRequest(encodeLogSyncRequest(at)).want).toHaveLength(MAX_LOG_SYNC_HASHES)
    const over = LogSyncRequest.encode({ ...at, want: hashes(MAX_LOG_SYNC_HASHES + 1) })
    expectCode(() => decodeLogSyncRequest(over), 'LOG_SYNC_PROTOCOL_VIOLATION')
    expectCode(
      () => encodeLogSyncRequest({ ...at, have: hashes(MAX_LOG_SYNC_HASHES + 1) }),
      'LOG_SYNC_PROTOCOL_VIOLATION',
    )
  })

  it('takes max_blocks from 1 to MAX_LOG_SYNC_BATCH_BLOCKS and nothing else', () => {
    const at = { address: 'a', want: ['h'], have: [], maxBlocks: MAX_LOG_SYNC_BATCH_BLOCKS }
    expect(decodeLogSyncRequest(encodeLogSyncRequest(at)).maxBlocks).toBe(MAX_LOG_SYNC_BATCH_BLOCKS)
    expectCode(
      () => decodeLogSyncRequest(LogSyncRequest.encode({ ...at, maxBlocks: 0 })),
      'MALFORMED_MESSAGE',
    )
    const over = LogSyncRequest.encode({ ...at, maxBlocks: MAX_LOG_SYNC_BATCH_BLOCKS + 1 })
    expectCode(() => decodeLogSyncRequest(over), 'MALFORMED_MESSAGE')
  })

  it('takes a hash of MAX_LOG_SYNC_HASH_LENGTH and refuses one longer', () => {
    const at = 'h'.repeat(MAX_LOG_SYNC_HASH_LENGTH)
    const request = (want: string) =>
      LogSyncRequest.encode({ address: 'a', want: [want], have: [], maxBlocks: 1 })
    expect(decodeLogSyncRequest(request(at)).want).toEqual([at])
    expectCode(() => decodeLogSyncRequest(request(`${at}h`)), 'MALFORMED_MESSAGE')
  })

  it('refuses a request frame over MAX_LOG_SYNC_REQUEST_BYTES before decoding it', () => {
    expectCode(
      () => decodeLogSyncRequest(new Uint8Array(MAX_LOG_SYNC_REQUEST_BYTES + 1)),
      'MESSAGE_TOO_LARGE',
    )
  })

  it('takes as many blocks as asked for and refuses one more', () => {
    const bytes = LogSyncBatch.encode({ blocks: [block(), block(), block()], missing: [] })
    expect(decodeLogSyncBatch(bytes, 3).blocks).toHaveLength(3)
    expectCode(() => decodeLogSyncBatch(bytes, 2), 'LOG_SYNC_PROTOCOL_VIOLATION')
  })

  it('takes a block of MAX_LOG_SYNC_BLOCK_BYTES and refuses one byte more', () => {
    const at = LogSyncBatch.encode({ blocks: [block(MAX_LOG_SYNC_BLOCK_BYTES)], missing: [] })
    expect(decodeLogSyncBatch(at, 1).blocks[0]?.bytes).toHaveLength(MAX_LOG_SYNC_BLOCK_BYTES)
    const over = LogSyncBatch.encode({ blocks: [block(MAX_LOG_SYNC_BLOCK_BYTES + 1)], missing: [] })
    expectCode(() => decodeLogSyncBatch(over, 1), 'MESSAGE_TOO_LARGE')
  })

  it('takes a batch of MAX_LOG_SYNC_BATCH_BYTES and refuses one byte more', () => {
    expect(decodeLogSyncBatch(paddedProtobuf(MAX_LOG_SYNC_BATCH_BYTES), 1)).toEqual({
      blocks: [],
      missing: [],
    })
    expectCode(() => decodeLogSyncBatch(paddedProtobuf(MAX_LOG_SYNC_BATCH_BYTES + 1), 1), 'MESSAGE_TOO_LARGE')
    const blocks = Array.from({ length: 65 }, () => block(MAX_LOG_SYNC_BLOCK_BYTES))
    expectCode(() => encodeLogSyncBatch({ blocks, missing: [] }), 'MESSAGE_TOO_LARGE')
  })
})
