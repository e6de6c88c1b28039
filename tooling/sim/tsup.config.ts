import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// The library (for the tests), the scripts, and the node that the crash test runs in a child process.
export default defineConfig(
  weshTsupConfig({
    entry: {
      index: 'src/index.ts',
      'bin/sim': 'src/bin/sim.ts',
      'bin/crash': 'src/bin/crash.ts',
      'bin/fold-cost': 'src/bin/fold-cost.ts',
      'crash/crash-child': 'src/crash/crash-child.ts',
    },
  }),
)
