import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

export default defineConfig(weshTsupConfig({ entry: ['src/main.ts'], dts: false }))
