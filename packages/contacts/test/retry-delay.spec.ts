import { describe, expect, it } from 'vitest'
import { retryDelay } from '../src/index.js'

describe('retry back-off', () => {
  it('doubles from the initial wait up to the cap, with jitter in the upper half', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 1_000, 5_000, () => 1))).toEqual([
      1_000, 2_000, 4_000, 5_000,
    ])
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 1_000, 5_000, () => 0))).toEqual([
      500, 1_000, 2_000, 2_500,
    ])
    expect(retryDelay(10_000, 1_000, 5_000, () => 1)).toBe(5_000)
    expect(() => retryDelay(0, 1_000, 5_000)).toThrow()
  })
})
