import { weshVitestConfig } from '@wesh/tooling/vitest'

// A real Chromium, a real `wesh daemon` and a build of the page: a time budget that holds on 2 busy cores. Tests
// wait on events, never on this.
export default weshVitestConfig({
  test: { testTimeout: 180_000, hookTimeout: 180_000, globalSetup: ['test/build.global-setup.ts'] },
})
