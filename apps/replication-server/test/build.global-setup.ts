import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { app } from './server-process.js'

/** The tests drive the built `wesh-replication` binary, as an operator would: build it once before any test. */
export default function build(): void {
  execFileSync(process.execPath, [join(app, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
    cwd: app,
    stdio: 'ignore',
  })
}
