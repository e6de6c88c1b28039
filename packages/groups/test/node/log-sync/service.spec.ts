import { lpStream } from '@libp2p/utils'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { afterEach, expect, it } from 'vitest'
import {
  LOG_SYNC_PROTOCOL,
  MAX_CONCURRENT_WALKS,
  MAX_RESPONSE_BYTES,
  MIN_BATCH_BYTES,
} from '../../../src/node/log-sync/constants.js'
import {
  LogSyncEnd,
  decodeSyncResponse,
  encodeSyncRequest,
  type SyncResponse,
} from '../../../src/node/log-sync/frames.js'
import { Nodes, TestLog, appendMany, connect } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

it(`serves ${MAX_CONCURRENT_WALKS} walks at once and answers BUSY to one more`, async () => {
  const log = new TestLog()
  const server = await nodes.start()
  const client = await nodes.start({ logSync: false })
  const db = await log.open(server)
  await appendMany(db, log, 20)
  const [head] = await db.log.heads()
  await connect(client, server)
  // Each walk sends one small batch and then waits for credit that never comes: it stays open.
  const walk = async (): Promise<SyncResponse> => {
    const stream = await client.libp2p.dialProtocol(server.libp2p.peerId, LOG_SYNC_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(
      encodeSyncRequest({
        log: db.address,
        want: [CID.parse(head?.hash ?? '', base58btc)],
        have: [],
        limit: 0,
        credit: 1,
        batchBytes: MIN_BATCH_BYTES,
      }),
    )
    return decodeSyncResponse(await lp.read())
  }
  const open: SyncResponse[] = []
  for (let i = 0; i < MAX_CONCURRENT_WALKS; i++) open.push(await walk())
  expect(open.every((response) => response.kind === 'batch')).toBe(true)
  expect(await walk()).toEqual({ kind: 'end', end: LogSyncEnd.BUSY })
})

it('answers UNKNOWN_LOG for a log it does not have open, and BAD_REQUEST to a malformed request', async () => {
  const log = new TestLog()
  const server = await nodes.start()
  const client = await nodes.start({ logSync: false })
  const db = await log.open(server)
  await appendMany(db, log, 1)
  const [head] = await db.log.heads()
  await connect(client, server)
  const ask = async (frame: Uint8Array) => {
    const stream = await client.libp2p.dialProtocol(server.libp2p.peerId, LOG_SYNC_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(frame)
    return decodeSyncResponse(await lp.read())
  }
  const request = {
    want: [CID.parse(head?.hash ?? '', base58btc)],
    have: [],
    limit: 0,
    credit: 1,
    batchBytes: MIN_BATCH_BYTES,
  }
  expect(await ask(encodeSyncRequest({ ...request, log: '/orbitdb/elsewhere' }))).toEqual({
    kind: 'end',
    end: LogSyncEnd.UNKNOWN_LOG,
  })
  expect(await ask(Uint8Array.of(0xff, 0xff))).toEqual({ kind: 'end', end: LogSyncEnd.BAD_REQUEST })
  expect(await ask(encodeSyncRequest({ ...request, log: db.address }))).toMatchObject({ kind: 'batch' })
})
