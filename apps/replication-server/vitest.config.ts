import { weshVitestConfig } from '@wesh/tooling/vitest'

// Real nodes on loopback: a time budget that holds on 2 busy cores. Tests wait on events, never on this.
export default weshVitestConfig({
  test: { testTimeout: 180_000, hookTimeout: 60_000, globalSetup: ['test/build.global-setup.ts'] },
})
