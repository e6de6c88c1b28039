import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

export default defineConfig(weshTsupConfig({ entry: ['src/index.ts', 'src/compliance.ts', 'src/level.ts'] }))
