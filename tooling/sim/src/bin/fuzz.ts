// `pnpm --filter @wesh/sim fuzz`: fast-check over every decoder the packages export (see src/fuzz/targets.ts),
// 100 000 cases each by default, seeded; prints one markdown table and every finding (a throw that is not a
// WeshError with a code). `--runs N`, `--seed S`, `--only TEXT` (targets whose name contains TEXT), `--repo DIR`.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fuzzAll, vectorCorpus } from '../fuzz/run-fuzz.js'
import { fuzzTable } from '../fuzz/fuzz-table.js'
import { fuzzTargets } from '../fuzz/targets.js'
import { randomSeed } from '../random.js'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    // The monorepo whose packages' test vectors seed the corpus: this one by default.
    repo: { type: 'string', default: join(import.meta.dirname, '..', '..', '..', '..') },
  },
})
const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
const runs = Number(values.runs)
process.stderr.write(`seed ${seed} (repeat this run with --seed ${seed}), ${runs} cases per decoder\n`)
const shared = await vectorCorpus(values.repo)
const targets = fuzzTargets().filter((t) => values.only === undefined || t.name.includes(values.only))
const results = await fuzzAll(targets, shared, {
  runs,
  seed,
  progress: (line) => process.stderr.write(`${line}\n`),
})
console.log(fuzzTable(seed, results))
if (results.some((r) => r.findings.length > 0)) process.exitCode = 1
