import { toHex } from '@wesh/crypto'
import { createMultiMemberGroup, foldGroupEvents } from '@wesh/groups'
import { describe, expect, it } from 'vitest'
import { SeededRandom, describeStep, groupStateDigest, randomSchedule } from '../src/index.js'

describe('randomSchedule', () => {
  it('is the same schedule for the same seed, and another for another seed', () => {
    const a = randomSchedule(new SeededRandom(42), { devices: 20 })
    const b = randomSchedule(new SeededRandom(42), { devices: 20 })
    const c = randomSchedule(new SeededRandom(43), { devices: 20 })
    expect(a).toEqual(b)
    expect(a.map(describeStep)).not.toEqual(c.map(describeStep))
  })

  it('ends healed, keeps each device in at most one island, and restarts what it stopped', () => {
    for (let seed = 0; seed < 50; seed++) {
      const steps = randomSchedule(new SeededRandom(seed), { devices: 10, rounds: 5 })
      expect(steps.at(-1)).toEqual({ kind: 'heal' })
      const stopped = new Set<number>()
      for (const step of steps) {
        if (step.kind === 'partition' || step.kind === 'bluetooth') {
          const listed = step.islands.flat()
          expect(new Set(listed).size).toBe(listed.length)
          expect(listed.every((d) => d >= 0 && d < 10)).toBe(true)
        }
        if (step.kind === 'stop') for (const d of step.devices) stopped.add(d)
        if (step.kind === 'restart') for (const d of step.devices) expect(stopped.delete(d)).toBe(true)
        if (step.kind === 'stop') expect(step.devices.length).toBeLessThanOrEqual(2)
      }
    }
  })
})

describe('SeededRandom', () => {
  it('rejects a seed that is not a 32-bit unsigned integer', () => {
    expect(() => new SeededRandom(-1)).toThrow(RangeError)
    expect(() => new SeededRandom(2 ** 32)).toThrow(RangeError)
    expect(() => new SeededRandom(1.5)).toThrow(RangeError)
    expect(new SeededRandom(2 ** 32 - 1).seed).toBe(2 ** 32 - 1)
  })

  it('draws integers within bounds and samples distinct items', () => {
    const random = new SeededRandom(7)
    for (let i = 0; i < 1000; i++) {
      const n = random.int(3, 5)
      expect(n >= 3 && n <= 5).toBe(true)
    }
    const sample = random.sample([1, 2, 3, 4, 5], 3)
    expect(new Set(sample).size).toBe(3)
    expect(() => random.pick([])).toThrow(RangeError)
  })
})

describe('groupStateDigest', () => {
  it('leaves out the chain keys addressed to our own member, which differ between replicas', () => {
    const { group } = createMultiMemberGroup()
    const state = foldGroupEvents([], { group })
    const withChain = {
      ...state,
      chainKeys: new Map([[toHex(new Uint8Array(32)), state.chainKeys.get('') as never]]),
    }
    expect(groupStateDigest(withChain)).toBe(groupStateDigest(state))
    expect(groupStateDigest({ ...state, name: 'club' })).not.toBe(groupStateDigest(state))
  })
})
