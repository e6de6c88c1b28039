import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// Four entry points: the pure protocol layer (runs anywhere), accounts and group sessions on any runtime, and the
// node that runs them on Node.js (libp2p, Helia, OrbitDB, LevelDB) or in a browser (WebSockets, IndexedDB).
export default defineConfig(
  weshTsupConfig({
    entry: {
      index: 'src/index.ts',
      'session/index': 'src/session/index.ts',
      'node/index': 'src/node/index.ts',
      'browser/index': 'src/browser/index.ts',
    },
  }),
)
