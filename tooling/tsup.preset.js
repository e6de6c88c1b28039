// Shared build settings: ESM only, with declarations and source maps.
/** @param {import('tsup').Options} [overrides] */
export function weshTsupConfig(overrides = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2023',
    ...overrides,
  }
}
