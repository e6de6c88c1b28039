import { parseArgs } from 'node:util'
import { randomSeed } from '../random.js'
import { fuzzTable } from './fuzz-table.js'
import { fuzzAll, type FuzzTargetResult } from './run-fuzz.js'
import type { FuzzTarget } from './targets.js'

/** What every fuzz script is told on its command line. */
export interface FuzzScriptArgs {
  readonly runs: number
  readonly seed: number
  /** Only the targets whose name contains this. */
  readonly only: string | undefined
  /** The script's own `--name value` options, by name. */
  readonly extra: Readonly<Record<string, string | undefined>>
}

/**
 * Reads a fuzz script's command line — `--runs N` (default 100 000), `--seed S` (default random), `--only TEXT`,
 * and the script's own string options `extra` with their defaults — and says the seed on stderr, so that any run
 * can be repeated. `per` names what each target is (`decoder`, `way in`).
 */
export function fuzzScriptArgs(
  per: string,
  extra: Readonly<Record<string, string | undefined>> = {},
  args: string[] = process.argv.slice(2),
): FuzzScriptArgs {
  const own = Object.fromEntries(
    Object.entries(extra).map(([name, value]) => [
      name,
      { type: 'string' as const, ...(value === undefined ? {} : { default: value }) },
    ]),
  )
  const { values } = parseArgs({
    args,
    options: {
      ...own,
      runs: { type: 'string', default: '100000' },
      seed: { type: 'string' },
      only: { type: 'string' },
    },
  })
  const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
  const runs = Number(values.runs)
  process.stderr.write(`seed ${seed} (repeat this run with --seed ${seed}), ${runs} cases per ${per}\n`)
  const given = values as Record<string, string | undefined>
  return {
    runs,
    seed,
    only: values.only,
    extra: Object.fromEntries(Object.keys(extra).map((name) => [name, given[name]])),
  }
}

/**
 * Runs the targets `args.only` selects, each one's totals on stderr as it ends, and prints the markdown table;
 * sets a failing exit code when any target has a finding.
 */
export async function runFuzzScript(
  targets: readonly FuzzTarget[],
  args: FuzzScriptArgs,
  shared: { bytes: Uint8Array[]; texts: string[] } = { bytes: [], texts: [] },
): Promise<FuzzTargetResult[]> {
  const chosen = targets.filter((target) => args.only === undefined || target.name.includes(args.only))
  const results = await fuzzAll(chosen, shared, {
    runs: args.runs,
    seed: args.seed,
    progress: (line) => process.stderr.write(`${line}\n`),
  })
  console.log(fuzzTable(args.seed, results))
  if (results.some((result) => result.findings.length > 0)) process.exitCode = 1
  return results
}
