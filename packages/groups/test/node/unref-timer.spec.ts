import { expect, it } from 'vitest'
import { unrefTimer } from '../../src/node/unref-timer.js'

it('unrefs a Node timer, and takes a browser timer (a number) without throwing', () => {
  const timer = setTimeout(() => undefined, 60_000)
  unrefTimer(timer)
  expect(timer.hasRef()).toBe(false)
  clearTimeout(timer)
  expect(() => {
    unrefTimer(42)
  }).not.toThrow()
})
