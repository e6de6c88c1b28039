// `pnpm --filter @wesh/sim fuzz`: fast-check over every decoder the packages export (see src/fuzz/targets.ts),
// 100 000 cases each by default, seeded; prints one markdown table and every finding (a throw that is not a
// WeshError with a code). `--runs N`, `--seed S`, `--only TEXT` (targets whose name contains TEXT), `--repo DIR`.
import { join } from 'node:path'
import { vectorCorpus } from '../fuzz/run-fuzz.js'
import { fuzzScriptArgs, runFuzzScript } from '../fuzz/fuzz-script.js'
import { fuzzTargets } from '../fuzz/targets.js'

// `--repo`: the monorepo whose packages' test vectors seed the corpus, this one by default.
const args = fuzzScriptArgs('decoder', { repo: join(import.meta.dirname, '..', '..', '..', '..') })
await runFuzzScript(fuzzTargets(), args, await vectorCorpus(args.extra.repo as string))
