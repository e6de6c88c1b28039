import os from 'node:os'
import type { CrashTestResult } from './crash/crash-test.js'
import type { SimulationReport } from './simulation.js'

/** One configuration of a simulation run: its report, or why it did not finish. */
export type SimulationRow =
  | { readonly devices: number; readonly groupSize: number; readonly report: SimulationReport }
  | { readonly devices: number; readonly groupSize: number; readonly failure: string }

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const mib = (value: number) => `${value.toFixed(1)} MiB`

/** Where and when the figures were measured, as the bench tables say it. */
export function machineLine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)}, ${new Date().toISOString().slice(0, 10)}`
}

export function simulationTable(rows: readonly SimulationRow[]): string {
  const lines = [
    '| devices | group size | groups | messages | sent/s | join flow | converged after heal | RSS / device | heap / device | lost | checks |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const row of rows) {
    if ('failure' in row) {
      lines.push(`| ${row.devices} | ${row.groupSize} | | | | | | | | | did not finish: ${row.failure} |`)
      continue
    }
    const r = row.report
    lines.push(
      `| ${r.devices} | ${r.groupSize} | ${r.groups} | ${r.messagesSent} | ${r.sendRate.toFixed(1)} | ${r.joinProgress === undefined ? seconds(r.setupMs) : `> ${seconds(r.setupMs)} (${r.joinProgress})`} | ${r.joinProgress !== undefined ? 'not run' : r.convergeMs === undefined ? 'not converged' : seconds(r.convergeMs)} | ${mib(r.rssPerDeviceMiB)} | ${mib(r.heapPerDeviceMiB)} | ${r.lost} | ${r.problems.length === 0 ? 'pass' : r.problems.join('; ')} |`,
    )
  }
  return lines.join('\n')
}

export function crashTable(result: CrashTestResult): string {
  return [
    '| kill points | during writes | during open | acknowledged sends | clean reopens | lost on writer | lost on peer | median reopen | checks |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${result.killPoints} | ${result.killsDuringWrites} | ${result.killsDuringStartup} | ${result.acknowledged} | ${result.cleanOpens}/${result.opens} | ${result.lostLocally} | ${result.lostOnPeer} | ${seconds(result.medianOpenMs)} | ${result.problems.length === 0 ? 'pass' : result.problems.join('; ')} |`,
  ].join('\n')
}
