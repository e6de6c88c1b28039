import type { Stream } from '@libp2p/interface'
import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { expect, it } from 'vitest'
import { type CatchUpLog, LogCatchUp } from '../../src/node/log-catch-up.js'

it('asks a peer for nothing that a join has made a head of the log since the catch-up began', async () => {
  // h2 → h1, neither on this node when the catch-up starts; then h1, sent by another peer, is joined.
  const heads: string[] = []
  const log = {
    address: '/orbitdb/test',
    isIndexed: () => Promise.resolve(false), // a head mid-join is not indexed yet
    heads: () => Promise.resolve(heads),
    storedBlock: () => Promise.resolve(undefined),
  } as unknown as CatchUpLog
  const catchUp = await LogCatchUp.start(log, {
    next: ['h1'],
    refs: [],
  } as unknown as LogEntry<EventsPayload>)
  expect([...catchUp.wanted]).toEqual(['h1'])
  heads.push('h1')
  const sent: unknown[] = []
  const stream = {
    send: (bytes: unknown) => sent.push(bytes),
    async *[Symbol.asyncIterator]() {}, // the peer's batches: none, as none is asked for
  } as unknown as Stream
  await catchUp.pull(stream, 'peer')
  expect(sent).toEqual([]) // the peer would skip h1 (ours) and answer an empty batch, a protocol violation
  expect(catchUp.wanted.size).toBe(0)
})
