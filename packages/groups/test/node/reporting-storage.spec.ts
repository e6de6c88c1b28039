import { LRUStorage } from '@orbitdb/core'
import { describe, expect, it } from 'vitest'
import { reportingStorage } from '../../src/node/reporting-storage.js'

describe('reportingStorage', () => {
  it('reports a failed write and still throws it; reads and good writes pass through', async () => {
    const inner = await LRUStorage({ size: 10 })
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    let failing = false
    const disk = {
      ...inner,
      put: (hash: string, data: Uint8Array) => (failing ? Promise.reject(full) : inner.put(hash, data)),
    }
    const reported: unknown[] = []
    const storage = reportingStorage(disk, (error) => reported.push(error))
    await storage.put('a', Uint8Array.of(1))
    expect(await storage.get('a')).toEqual(Uint8Array.of(1))
    failing = true
    await expect(storage.put('b', Uint8Array.of(2))).rejects.toBe(full)
    expect(reported).toEqual([full])
    expect(await storage.get('b')).toBeUndefined()
  })
})
