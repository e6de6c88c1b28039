import { weshVitestConfig } from '@wesh/tooling/vitest'

// Real daemons on loopback: a time budget that holds on 2 busy cores. Tests wait on events, never on this.
export default weshVitestConfig({
  test: { testTimeout: 180_000, hookTimeout: 120_000, globalSetup: ['test/build.global-setup.ts'] },
})
