// One way for every package to run a benchmark and print it: tinybench underneath, and a markdown table in
// which each task stands next to the baseline of its group, measured in the same run on the same machine.
import os from 'node:os'
import { Bench } from 'tinybench'

/**
 * @typedef {{ name: string, fn: () => unknown, baseline?: boolean }} BenchTask
 * @typedef {{ title: string, tasks: BenchTask[] }} BenchGroup
 */

/**
 * Runs each group (its first task, or the one marked `baseline`, is the baseline) and prints one table.
 * @param {string} title
 * @param {BenchGroup[]} groups
 * @param {{ time?: number }} [options] milliseconds per task
 */
export async function runBenchTable(title, groups, options = {}) {
  const time = Number(process.env.BENCH_TIME_MS ?? options.time ?? 1500)
  const rows = []
  for (const group of groups) {
    process.stderr.write(`running ${group.title}…\n`)
    const bench = new Bench({ time, warmupTime: Math.min(300, time / 4) })
    for (const task of group.tasks) bench.add(task.name, task.fn)
    await bench.run()
    const stats = bench.tasks.map((task) => {
      const result = task.result
      if (result.state !== 'completed')
        throw new Error(`${task.name}: ${result.state} ${String(result.error ?? '')}`)
      return {
        name: task.name,
        opsPerSecond: 1000 / result.period,
        meanUs: result.period * 1000,
        rme: result.latency.rme,
      }
    })
    const baselineIndex = Math.max(
      0,
      group.tasks.findIndex((task) => task.baseline),
    )
    const baseline = stats[baselineIndex]
    for (const [i, stat] of stats.entries()) {
      rows.push({
        group: group.title,
        ...stat,
        vsBaseline:
          i === baselineIndex
            ? 'baseline'
            : `${(baseline.opsPerSecond / stat.opsPerSecond).toFixed(2)}x time`,
      })
    }
  }
  const header = `## ${title}\n\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`
  const table = [
    '| group | task | ops/s | mean | ± | vs baseline |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.group} | ${r.name} | ${Math.round(r.opsPerSecond).toLocaleString('en-US')} | ${r.meanUs.toFixed(1)} µs | ${r.rme.toFixed(1)}% | ${r.vsBaseline} |`,
    ),
  ].join('\n')
  console.log(`${header}\n${table}\n`)
  return rows
}
