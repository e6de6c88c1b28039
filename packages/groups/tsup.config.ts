import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// Two entry points: the pure protocol layer (runs anywhere) and the Node.js node (libp2p, Helia, OrbitDB, LevelDB).
export default defineConfig(
  weshTsupConfig({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } }),
)
