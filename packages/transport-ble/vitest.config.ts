import { weshVitestConfig } from '@wesh/tooling/vitest'

export default weshVitestConfig()
