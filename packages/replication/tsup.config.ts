import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// Three entry points: the pure layer (codecs, checks, tokens; runs anywhere), the client side of a member device
// (runs anywhere, browsers included), and the Node.js replication node.
export default defineConfig(
  weshTsupConfig({
    entry: {
      index: 'src/index.ts',
      'client/index': 'src/client/index.ts',
      'node/index': 'src/node/index.ts',
    },
  }),
)
