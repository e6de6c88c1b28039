// `pnpm --filter @wesh/sim sim`: runs the network simulation for several (devices, group size) configurations,
// each in a child process of its own (so memory is measured per configuration and one that runs out of memory
// does not end the others), and prints one markdown table. Progress goes to stderr, the table to stdout.
import { fork } from 'node:child_process'
import { parseArgs } from 'node:util'
import { SeededRandom, randomSeed } from '../random.js'
import { describeStep, randomSchedule, smallSchedule } from '../schedule.js'
import { machineLine, simulationTable, type SimulationRow } from '../report-table.js'
import { runSimulation, type SimulationReport } from '../simulation.js'

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: '5x5,10x10,20x20,20x5,50x50,50x10' },
    seed: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    messages: { type: 'string', default: '4' },
    schedule: { type: 'string', default: 'random' },
    'timeout-min': { type: 'string', default: '20' },
    one: { type: 'string' },
  },
})
const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
const parseConfig = (text: string) => {
  const match = /^(\d+)x(\d+)$/.exec(text)
  const devices = Number(match?.[1])
  const groupSize = Number(match?.[2])
  if (match === null || devices < 2 || groupSize < 2)
    throw new Error(`a configuration is DEVICESxGROUPSIZE, such as 20x5; got ${text}`)
  return { devices, groupSize }
}
const progress = (line: string) => process.stderr.write(`${line}\n`)

if (values.one !== undefined) {
  // A child: one configuration, its report back over IPC.
  const { devices, groupSize } = parseConfig(values.one)
  const schedule =
    values.schedule === 'small'
      ? smallSchedule
      : randomSchedule(new SeededRandom(seed), {
          devices,
          rounds: Number(values.rounds),
          messagesPerRound: Number(values.messages) * devices,
        })
  progress(`${devices}x${groupSize} schedule (seed ${seed}): ${schedule.map(describeStep).join('; ')}`)
  const timeout = Number(values['timeout-min']) * 60_000
  const report = await runSimulation({
    devices,
    groupSize,
    schedule,
    seed,
    convergeTimeoutMs: timeout,
    setupTimeoutMs: timeout,
    log: (line) => progress(`${devices}x${groupSize} ${line}`),
  })
  process.send?.(report)
} else {
  progress(`seed ${seed} (repeat this run with --seed ${seed})`)
  const rows: SimulationRow[] = []
  for (const config of values.configs.split(',').map(parseConfig)) {
    const args = ['--one', `${config.devices}x${config.groupSize}`, '--seed', String(seed)]
    for (const name of ['rounds', 'messages', 'schedule', 'timeout-min'] as const)
      args.push(`--${name}`, values[name])
    const child = fork(import.meta.filename, args, { execArgv: ['--expose-gc'], stdio: 'inherit' })
    let report: SimulationReport | undefined
    child.on('message', (message: SimulationReport) => (report = message))
    const exit = await new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => {
        resolve(signal ?? `exit code ${String(code)}`)
      }),
    )
    rows.push(report ? { ...config, report } : { ...config, failure: exit })
    progress(simulationTable(rows))
  }
  console.log(`## Network simulation, seed ${seed}\n\n${machineLine()}\n\n${simulationTable(rows)}\n`)
  if (rows.some((row) => 'failure' in row || row.report.problems.length > 0)) process.exitCode = 1
}
