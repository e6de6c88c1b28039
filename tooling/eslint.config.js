// Shared lint rules: typescript-eslint's type-checked set, because floating promises
// and unsafe `any` are the bugs that hurt most in networking code.
import js from '@eslint/js'
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
