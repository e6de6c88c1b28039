import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// Two entry points: the pure layer (codecs, checks, tokens; runs anywhere) and the Node.js replication node.
export default defineConfig(
  weshTsupConfig({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } }),
)
