import * as dagCbor from '@ipld/dag-cbor'
import { concatBytes, isWeshError, randomBytes } from '@wesh/crypto'
import fc from 'fast-check'
import * as Block from 'multiformats/block'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
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
} from '../../../src/node/log-sync/constants.js'
import { LogSyncErrorCode } from '../../../src/node/log-sync/errors.js'
import {
  LogSyncEnd,
  decodeSyncCredit,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncCredit,
  encodeSyncRequest,
  encodeSyncResponse,
  type SyncRequest,
} from '../../../src/node/log-sync/frames.js'
import * as pb from '../../../src/proto/log-sync.js'
import { FUZZ_RUNS, expectCode, paddedProtobuf } from '../../helpers.js'

async function entryCid(bytes = randomBytes(16)): Promise<CID> {
  return (await Block.encode({ value: bytes, codec: dagCbor, hasher: sha256 })).cid
}
const cids = await Promise.all(Array.from({ length: MAX_WANTS + MAX_HAVES + 2 }, () => entryCid()))
const cid = cids[0] as CID
const address = '/orbitdb/zdpuAqXpfvDxC1K7paxdaQABpQWZU4HNWYKJLrfrwAR6B2oWY'

function request(over: Partial<SyncRequest> = {}): SyncRequest {
  return { log: address, want: [cid], have: [], limit: 0, credit: 4, batchBytes: 65_536, ...over }
}

describe('request frames', () => {
  it('round-trip', () => {
    const sent = request({
      want: cids.slice(0, 3),
      have: cids.slice(3, 5),
      limit: 100,
      credit: 2,
      batchBytes: 4096,
    })
    const got = decodeSyncRequest(encodeSyncRequest(sent))
    expect(got.log).toBe(sent.log)
    expect(got.want.map(String)).toEqual(sent.want.map(String))
    expect(got.have.map(String)).toEqual(sent.have.map(String))
    expect([got.limit, got.credit, got.batchBytes]).toEqual([100, 2, 4096])
  })

  it(`takes ${MAX_WANTS} wants and ${MAX_HAVES} haves, not one more`, () => {
    const full = request({
      want: cids.slice(0, MAX_WANTS),
      have: cids.slice(MAX_WANTS, MAX_WANTS + MAX_HAVES),
    })
    expect(decodeSyncRequest(encodeSyncRequest(full)).want).toHaveLength(MAX_WANTS)
    const wants = request({ want: cids.slice(0, MAX_WANTS + 1) })
    expectCode(() => decodeSyncRequest(encodeSyncRequest(wants)), LogSyncErrorCode.MALFORMED_FRAME)
    const haves = request({ have: cids.slice(0, MAX_HAVES + 1) })
    expectCode(() => decodeSyncRequest(encodeSyncRequest(haves)), LogSyncErrorCode.MALFORMED_FRAME)
  })

  it(`takes a log address of ${MAX_LOG_ADDRESS_CHARS} characters, not one more`, () => {
    const at = request({ log: 'a'.repeat(MAX_LOG_ADDRESS_CHARS) })
    expect(decodeSyncRequest(encodeSyncRequest(at)).log).toHaveLength(MAX_LOG_ADDRESS_CHARS)
    const over = request({ log: 'a'.repeat(MAX_LOG_ADDRESS_CHARS + 1) })
    expectCode(() => decodeSyncRequest(encodeSyncRequest(over)), LogSyncErrorCode.MALFORMED_FRAME)
  })

  it(`takes credit 1 to ${MAX_CREDIT} and batches of ${MIN_BATCH_BYTES} to ${MAX_BATCH_BYTES} bytes`, () => {
    for (const credit of [1, MAX_CREDIT])
      expect(decodeSyncRequest(encodeSyncRequest(request({ credit }))).credit).toBe(credit)
    for (const credit of [0, MAX_CREDIT + 1])
      expectCode(
        () => decodeSyncRequest(encodeSyncRequest(request({ credit }))),
        LogSyncErrorCode.MALFORMED_FRAME,
      )
    for (const batchBytes of [MIN_BATCH_BYTES, MAX_BATCH_BYTES])
      expect(decodeSyncRequest(encodeSyncRequest(request({ batchBytes }))).batchBytes).toBe(batchBytes)
    for (const batchBytes of [MIN_BATCH_BYTES - 1, MAX_BATCH_BYTES + 1])
      expectCode(
        () => decodeSyncRequest(encodeSyncRequest(request({ batchBytes }))),
        LogSyncErrorCode.MALFORMED_FRAME,
      )
  })

  it('refuses a request that wants nothing, or a CID that is not an entry block', async () => {
    expectCode(
      () => decodeSyncRequest(encodeSyncRequest(request({ want: [] }))),
      LogSyncErrorCode.MALFORMED_FRAME,
    )
    const raw = CID.createV1(0x55, await sha256.digest(randomBytes(8)))
    const inline = CID.createV1(0x71, identity.digest(randomBytes(8)))
    for (const other of [raw, inline, CID.createV0(await sha256.digest(randomBytes(8)))])
      expectCode(
        () => decodeSyncRequest(encodeSyncRequest(request({ want: [other] }))),
        LogSyncErrorCode.MALFORMED_FRAME,
      )
  })

  it(`takes a CID of ${MAX_CID_BYTES} bytes to the CID check, and refuses one more at once`, () => {
    const frame = (bytes: Uint8Array) =>
      pb.LogSyncRequest.encode({
        log: address,
        want: [bytes as Uint8Array<ArrayBuffer>],
        credit: 1,
        batchBytes: MIN_BATCH_BYTES,
      })
    const long = (length: number) => concatBytes(cid.bytes, new Uint8Array(length - cid.bytes.length))
    for (const [length, reason] of [
      [MAX_CID_BYTES, 'CID'],
      [MAX_CID_BYTES + 1, 'CID length'],
    ] as const) {
      let thrown: unknown
      try {
        decodeSyncRequest(frame(long(length)))
      } catch (error) {
        thrown = error
      }
      expect(isWeshError(thrown, LogSyncErrorCode.MALFORMED_FRAME) && thrown.data?.reason).toBe(reason)
    }
  })

  it(`reads a frame of ${MAX_REQUEST_BYTES} bytes and refuses one more`, () => {
    const base = encodeSyncRequest(request())
    const at = concatBytes(base, paddedProtobuf(MAX_REQUEST_BYTES - base.length))
    expect(decodeSyncRequest(at).log).toBe(address)
    const over = concatBytes(base, paddedProtobuf(MAX_REQUEST_BYTES + 1 - base.length))
    expectCode(() => decodeSyncRequest(over), LogSyncErrorCode.FRAME_TOO_LARGE)
  })
})

describe('credit frames', () => {
  it(`grant 1 to ${MAX_CREDIT} batches`, () => {
    for (const batches of [1, MAX_CREDIT]) expect(decodeSyncCredit(encodeSyncCredit(batches))).toBe(batches)
    for (const batches of [0, MAX_CREDIT + 1])
      expectCode(() => decodeSyncCredit(encodeSyncCredit(batches)), LogSyncErrorCode.MALFORMED_FRAME)
  })

  it(`are read up to ${MAX_CREDIT_FRAME_BYTES} bytes`, () => {
    const base = encodeSyncCredit(1)
    expect(decodeSyncCredit(concatBytes(base, paddedProtobuf(MAX_CREDIT_FRAME_BYTES - base.length)))).toBe(1)
    expectCode(
      () => decodeSyncCredit(concatBytes(base, paddedProtobuf(MAX_CREDIT_FRAME_BYTES + 1 - base.length))),
      LogSyncErrorCode.FRAME_TOO_LARGE,
    )
  })
})

describe('response frames', () => {
  it('round-trip a batch and each end', () => {
    const blocks = [{ cid, data: randomBytes(100) }]
    const batch = decodeSyncResponse(encodeSyncResponse({ kind: 'batch', blocks }))
    expect(batch.kind === 'batch' && batch.blocks[0]?.data).toEqual(blocks[0]?.data)
    for (const end of [
      LogSyncEnd.COMPLETE,
      LogSyncEnd.LIMIT_REACHED,
      LogSyncEnd.UNKNOWN_LOG,
      LogSyncEnd.NOT_FOUND,
      LogSyncEnd.BUSY,
      LogSyncEnd.BAD_REQUEST,
    ] as const)
      expect(decodeSyncResponse(encodeSyncResponse({ kind: 'end', end }))).toEqual({ kind: 'end', end })
  })

  it(`carry ${MAX_BATCH_BLOCKS} blocks, not one more, and never none`, () => {
    const blocks = (count: number) => Array.from({ length: count }, () => ({ cid, data: Uint8Array.of(1) }))
    const full = decodeSyncResponse(encodeSyncResponse({ kind: 'batch', blocks: blocks(MAX_BATCH_BLOCKS) }))
    expect(full.kind === 'batch' && full.blocks).toHaveLength(MAX_BATCH_BLOCKS)
    expectCode(
      () => decodeSyncResponse(encodeSyncResponse({ kind: 'batch', blocks: blocks(MAX_BATCH_BLOCKS + 1) })),
      LogSyncErrorCode.MALFORMED_FRAME,
    )
    expectCode(() => decodeSyncResponse(new Uint8Array()), LogSyncErrorCode.MALFORMED_FRAME)
  })

  it(`carry a block of ${MAX_ENTRY_BLOCK_BYTES} bytes, not one more`, () => {
    const at = decodeSyncResponse(
      encodeSyncResponse({ kind: 'batch', blocks: [{ cid, data: new Uint8Array(MAX_ENTRY_BLOCK_BYTES) }] }),
    )
    expect(at.kind === 'batch' && at.blocks[0]?.data.length).toBe(MAX_ENTRY_BLOCK_BYTES)
    const over = encodeSyncResponse({
      kind: 'batch',
      blocks: [{ cid, data: new Uint8Array(MAX_ENTRY_BLOCK_BYTES + 1) }],
    })
    expectCode(() => decodeSyncResponse(over), LogSyncErrorCode.MALFORMED_FRAME)
  })

  it(`are read up to ${MAX_RESPONSE_BYTES} bytes`, () => {
    const base = encodeSyncResponse({ kind: 'end', end: LogSyncEnd.COMPLETE })
    const at = concatBytes(base, paddedProtobuf(MAX_RESPONSE_BYTES - base.length))
    expect(decodeSyncResponse(at)).toEqual({ kind: 'end', end: LogSyncEnd.COMPLETE })
    const over = concatBytes(base, paddedProtobuf(MAX_RESPONSE_BYTES + 1 - base.length))
    expectCode(() => decodeSyncResponse(over), LogSyncErrorCode.FRAME_TOO_LARGE)
  })

  it('refuse blocks in the end frame and an unknown end', () => {
    const both = pb.LogSyncResponse.encode({
      blocks: [{ cid: cid.bytes, data: Uint8Array.of(1) }],
      end: pb.LogSyncEnd.COMPLETE,
    })
    expectCode(() => decodeSyncResponse(both), LogSyncErrorCode.MALFORMED_FRAME)
    expectCode(() => decodeSyncResponse(Uint8Array.of(0x10, 0x63)), LogSyncErrorCode.MALFORMED_FRAME)
  })
})

describe('decoders under fuzzing', () => {
  const decoders = { request: decodeSyncRequest, credit: decodeSyncCredit, response: decodeSyncResponse }
  const codes: readonly string[] = [LogSyncErrorCode.MALFORMED_FRAME, LogSyncErrorCode.FRAME_TOO_LARGE]

  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: any bytes decode or fail with a frame code, never anything else`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2_048 }), (bytes) => {
          try {
            decode(bytes)
          } catch (error) {
            expect(isWeshError(error) ? error.code : error).toSatisfy((code: unknown) =>
              codes.includes(code as string),
            )
          }
        }),
        { numRuns: FUZZ_RUNS * 5 },
      )
    })
  }

  it('request: every valid request survives the round trip, and any change to its bytes is caught or decodes', () => {
    const arbitrary = fc.record({
      log: fc.string({ minLength: 1, maxLength: MAX_LOG_ADDRESS_CHARS }),
      want: fc.subarray(cids.slice(0, 10), { minLength: 1 }),
      have: fc.subarray(cids.slice(10, 20)),
      limit: fc.nat({ max: 0xffff_ffff }),
      credit: fc.integer({ min: 1, max: MAX_CREDIT }),
      batchBytes: fc.integer({ min: MIN_BATCH_BYTES, max: MAX_BATCH_BYTES }),
    })
    fc.assert(
      fc.property(arbitrary, fc.nat(), fc.nat({ max: 255 }), (sent, at, value) => {
        const bytes = encodeSyncRequest(sent)
        const got = decodeSyncRequest(bytes)
        expect({ ...got, want: got.want.map(String), have: got.have.map(String) }).toEqual({
          ...sent,
          want: sent.want.map(String),
          have: sent.have.map(String),
        })
        const changed = new Uint8Array(bytes)
        changed[at % changed.length] = value
        try {
          decodeSyncRequest(changed)
        } catch (error) {
          expect(isWeshError(error) && codes.includes(error.code)).toBe(true)
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('response: every valid batch survives the round trip', () => {
    const block = fc.record({
      cid: fc.constantFrom(...cids),
      data: fc.uint8Array({ minLength: 1, maxLength: 512 }),
    })
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 20 }), (blocks) => {
        const got = decodeSyncResponse(encodeSyncResponse({ kind: 'batch', blocks }))
        expect(got.kind === 'batch' && got.blocks.map((b) => [String(b.cid), b.data])).toEqual(
          blocks.map((b) => [String(b.cid), b.data]),
        )
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})
