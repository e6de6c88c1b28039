import { machineLine } from '../report-table.js'
import type { FuzzTargetResult } from './run-fuzz.js'

/** A fuzz run as markdown: one row per decoder, then every finding with the first input that caused it. */
export function fuzzTable(seed: number, results: readonly FuzzTargetResult[]): string {
  const codes = (r: FuzzTargetResult) =>
    Object.entries(r.codes)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ')
  return [
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
  ].join('\n')
}
