import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// The library (for the tests), the scripts, the node that the crash test runs in a child process, and the load
// tests' server process.
export default defineConfig(
  weshTsupConfig({
    entry: {
      index: 'src/index.ts',
      'bin/sim': 'src/bin/sim.ts',
      'bin/crash': 'src/bin/crash.ts',
      'bin/fold-cost': 'src/bin/fold-cost.ts',
      'crash/crash-child': 'src/crash/crash-child.ts',
      'bin/load': 'src/bin/load.ts',
      'bin/fuzz': 'src/bin/fuzz.ts',
      'load/server-child': 'src/load/server-child.ts',
    },
  }),
)
