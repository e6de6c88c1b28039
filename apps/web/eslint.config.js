import { weshEslintConfig } from '@wesh/tooling/eslint'

export default weshEslintConfig(import.meta.dirname)
