import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { MAX_ELIDED } from '../../../src/node/log-sync/constants.js'
import { ShallowIndex } from '../../../src/node/log-sync/shallow-index.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})
const hash = (i: number) => `zdpu${i.toString().padStart(8, '0')}`

it('answers for held and boundary entries, and keeps the boundary across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wesh-shallow-'))
  dirs.push(dir)
  let index = await ShallowIndex.open(dir)
  await index.storage.put(hash(1), new TextEncoder().encode('true')) // as OrbitDB adds an entry
  await index.markElided([hash(2), hash(3)])
  expect([await index.has(hash(1)), await index.has(hash(2)), await index.has(hash(4))]).toEqual([
    true,
    true,
    false,
  ])
  await index.markHeld([hash(2)])
  expect([...index.elided]).toEqual([hash(3)])
  await index.storage.close()
  index = await ShallowIndex.open(dir)
  expect([...index.elided]).toEqual([hash(3)])
  expect(await index.has(hash(2))).toBe(true)
  await index.storage.put(hash(3), new TextEncoder().encode('true')) // OrbitDB joins it: off the boundary
  expect(index.elided.size).toBe(0)
  await index.storage.close()
})

it(`keeps a boundary of ${MAX_ELIDED} entries and leaves out the one more`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wesh-shallow-'))
  dirs.push(dir)
  const index = await ShallowIndex.open(dir)
  await index.markElided(Array.from({ length: MAX_ELIDED + 1 }, (_, i) => hash(i)))
  expect(index.elided.size).toBe(MAX_ELIDED)
  expect(await index.has(hash(MAX_ELIDED - 1))).toBe(true)
  expect(await index.has(hash(MAX_ELIDED))).toBe(false)
  await index.storage.close()
})

it('answers an entry noted absent without reading the store, until it is added', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wesh-shallow-'))
  dirs.push(dir)
  const index = await ShallowIndex.open(dir)
  index.noteAbsent([hash(7)])
  expect(await index.has(hash(7))).toBe(false)
  await index.storage.put(hash(7), new TextEncoder().encode('true'))
  expect(await index.has(hash(7))).toBe(true)
  await index.storage.close()
})
