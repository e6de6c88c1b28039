import { defineConfig } from 'tsup'
import { weshTsupConfig } from '@wesh/tooling/tsup'

// Two entry points: the transport, and the Node-only BlueZ driver. The BLE packages are optional dependencies
// loaded at run time (never bundled: they carry native bindings).
export default defineConfig(
  weshTsupConfig({
    entry: ['src/index.ts', 'src/bluez.ts'],
    external: ['@stoprocent/noble', '@stoprocent/bleno'],
  }),
)
