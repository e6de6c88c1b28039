import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The tests drive the built `wesh` binary, as a person would: build it once before any test. */
export default function build(): void {
  const app = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, [join(app, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
    cwd: app,
    stdio: 'ignore',
  })
}
