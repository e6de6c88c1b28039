import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { expect, it } from 'vitest'
import { exclusiveHeadUpdates } from '../../src/node/exclusive-head-updates.js'

const entry = (hash: string, next: string[] = []) =>
  ({ hash, next, refs: [] }) as unknown as LogEntry<EventsPayload>

it('runs an append while a join fetches its path, then the join alone from local storage', async () => {
  // h2 → h1 → h0, and the log holds h0 only: h2's join needs h1, whose fetch waits for `onFetched`.
  let onFetched = () => {}
  const fetched = new Promise<void>((resolve) => (onFetched = resolve))
  let onFetching = () => {}
  const fetching = new Promise<void>((resolve) => (onFetching = resolve))
  const steps: string[] = []
  const log = {
    has: (hash: string) => Promise.resolve(hash === 'h0'),
    async get(hash: string) {
      steps.push(`fetch ${hash}`)
      onFetching()
      await fetched
      return entry(hash, ['h0'])
    },
    append() {
      steps.push('append')
      return Promise.resolve(entry('mine', ['h0']))
    },
    joinEntry(joined: LogEntry<EventsPayload>) {
      steps.push(`join ${joined.hash}`)
      return Promise.resolve(true)
    },
  } as unknown as EventsDatabase['log']
  exclusiveHeadUpdates(log)
  const joining = log.joinEntry(entry('h2', ['h1']))
  await fetching
  await log.append({ op: 'ADD', key: null, value: new Uint8Array() })
  expect(steps).toEqual(['fetch h1', 'append'])
  onFetched()
  expect(await joining).toBe(true)
  expect(steps).toEqual(['fetch h1', 'append', 'join h2'])
})
