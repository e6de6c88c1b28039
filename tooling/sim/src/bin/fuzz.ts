// `pnpm --filter @wesh/sim fuzz`: fast-check over every decoder the packages export (see src/fuzz/targets.ts),
// 100 000 cases each by default, seeded; prints one markdown table and every finding (a throw that is not a
// WeshError with a code). `--runs N`, `--seed S`, `--only TEXT` (targets whose name contains TEXT), `--repo DIR`.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fuzzTarget, vectorCorpus, type FuzzTargetResult } from '../fuzz/run-fuzz.js'
import { fuzzTargets } from '../fuzz/targets.js'
import { randomSeed } from '../random.js'
import { machineLine } from '../report-table.js'

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
const results: FuzzTargetResult[] = []
for (const target of targets) {
  const result = await fuzzTarget(target, shared, { runs, seed })
  results.push(result)
  process.stderr.write(
    `${target.name}: ${result.cases} cases in ${(result.ms / 1000).toFixed(1)} s, ${result.findings.length} finding(s)\n`,
  )
}
const codes = (r: FuzzTargetResult) =>
  Object.entries(r.codes)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ')
console.log(
  [
    `## Fuzz, seed ${seed}`,
    '',
    machineLine(),
    '',
    '| decoder | cases | accepted | thrown, by code | findings | time |',
    '|---|---:|---:|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.target} | ${r.cases} | ${r.accepted} | ${codes(r)} | ${r.findings.length} | ${(r.ms / 1000).toFixed(1)} s |`,
    ),
    '',
    ...results.flatMap((r) =>
      r.findings.map((f) => `- **${f.target}**: ${f.error} (${f.count} times); first input \`${f.input}\``),
    ),
  ].join('\n'),
)
if (results.some((r) => r.findings.length > 0)) process.exitCode = 1
