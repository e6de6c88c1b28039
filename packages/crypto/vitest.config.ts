import { weshVitestConfig } from '@wesh/tooling/vitest'

// Property tests are CPU-bound: a time budget that holds when turbo runs other packages on the same 2 cores.
export default weshVitestConfig({ test: { testTimeout: 180_000 } })
