import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { storagePath } from '../../src/node/storage-path.js'

describe('storagePath', () => {
  it("gives node:path's POSIX join for the locations a node uses, so existing LevelDB directories open as before", () => {
    const cases: string[][] = [
      ['/tmp/alice', 'orbitdb'],
      ['/tmp/alice/', 'logs'],
      ['/tmp/alice/logs', 'zdpuAzvpNHxfe3PJ', '/orbitdb/zdpuAzvpNHxfe3PJ', 'log', '_heads'],
      ['relative/dir', 'blocks'],
      ['wesh', 'datastore'],
    ]
    for (const parts of cases) expect(storagePath(...parts)).toBe(posix.join(...parts))
  })
})
