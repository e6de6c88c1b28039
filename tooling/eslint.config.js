// Shared lint rules: typescript-eslint's type-checked set, because floating promises
// and unsafe `any` are the bugs that hurt most in networking code.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** @param {string} tsconfigRootDir the package directory (import.meta.dirname) */
export function weshEslintConfig(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ['dist/**', 'coverage/**', '.test-results/**', '.readme-snippets/**', '*.config.*'] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
      rules: {
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
        '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
      },
    },
    {
      // Tests index into vectors and assert on `expect` matchers; strictness there costs more than it finds.
      files: ['test/**', 'bench/**'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-confusing-void-expression': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
      },
    },
  )
}

/**
 * Lint rules for plain Node ESM JavaScript, which has no types to check against: ESLint's recommended set and Node's
 * globals. For the tooling's own presets and scripts.
 */
export function weshNodeEslintConfig() {
  return [
    js.configs.recommended,
    {
      languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.node },
      linterOptions: { reportUnusedDisableDirectives: 'error' },
    },
  ]
}

// This directory's own files (`pnpm lint` in tooling/). tooling/sim is a workspace with its own config.
export default [{ ignores: ['sim/**'] }, ...weshNodeEslintConfig()]
