// Shared vitest settings. The JSON report feeds the repo-wide "N passed, M failed" line.
import { defineConfig, mergeConfig } from 'vitest/config'

/** @param {import('vitest/config').ViteUserConfig} [overrides] */
export function weshVitestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      test: {
        include: ['test/**/*.spec.ts'],
        reporters: ['default', ['json', { outputFile: '.test-results/results.json' }]],
        testTimeout: 30_000,
        pool: 'forks',
      },
    }),
    overrides,
  )
}
