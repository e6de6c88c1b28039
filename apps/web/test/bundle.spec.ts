import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

const assets = fileURLToPath(new URL('../dist/assets', import.meta.url))

describe('the built page', () => {
  it('pulls in no Node built-in: every package it imports has a browser entry point', async () => {
    const scripts = (await readdir(assets)).filter((name) => name.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(0)
    let gzipped = 0
    for (const name of scripts) {
      const code = await readFile(join(assets, name))
      // Vite swaps a Node built-in it meets for a stub module of this name, which throws when used.
      expect(code.toString()).not.toContain('__vite-browser-external')
      gzipped += gzipSync(code, { level: 9 }).length
    }
    console.log(`scripts: ${scripts.length} file(s), ${Math.round(gzipped / 1024)} KiB gzipped`)
  })
})
