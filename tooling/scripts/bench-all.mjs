// `pnpm bench`: builds what the benchmarks import, runs every workspace's `bench` and `bench:*` scripts one after
// the other (they measure time, so nothing runs beside them), and writes BENCHMARKS.md: the machine, the date, the
// command, then each script's markdown as it printed it, every figure next to its same-run baseline. A script that
// fails leaves its error in the file and makes the exit status non-zero; the others still run.
//   --quick        shortens every bench (the env knobs below) for a smoke run; or BENCH_QUICK=1
//   --only a,b     only these packages (`@wesh/groups` or `groups`)
//   --out FILE     where to write, BENCHMARKS.md at the root by default
// Progress goes to stderr, the benches' tables also to stdout as they come.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import * as prettier from 'prettier'

const root = join(import.meta.dirname, '..', '..')
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
    only: { type: 'string' },
    out: { type: 'string', default: join(root, 'BENCHMARKS.md') },
  },
})
const out = resolve(args.out)

// The knobs the benches read, at values that make the whole run take a few minutes. A value already set wins.
const QUICK_ENV = {
  BENCH_TIME_MS: '100', // tooling/bench.js (every runBenchTable) and the ratchet's alternating rounds
  TRIALS: '3', // contacts and rendezvous latency trials
  BENCH_SIZES: '100', // groups bench:sync and replication catch-up sizes
  BENCH_GROUPS: '10', // replication server memory: groups replicated
  BENCH_LIVE: '50', // groups bench:sync live messages
  BENCH_BYTES: '16384', // transport-ble bytes per goodput run
}
// The settings that change the figures, set by hand, to print with the command that
// reproduces them (`--quick` stands for its own).
const NOT_SETTINGS = new Set(['BENCH_QUICK', 'BENCH_TIMEOUT_MIN'])
const settings = Object.entries(process.env)
  .filter(([key]) => (key.startsWith('BENCH_') || key === 'TRIALS') && !NOT_SETTINGS.has(key))
  .map(([key, value]) => `${key}=${value ?? ''}`)
  .sort()
if (args.quick) for (const [key, value] of Object.entries(QUICK_ENV)) process.env[key] ??= value
const timeoutMinutes = Number(process.env.BENCH_TIMEOUT_MIN ?? 60)

const progress = (line) => process.stderr.write(`[bench] ${line}\n`)
const duration = (ms) => {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`
}

// The workspaces of pnpm-workspace.yaml that have benchmarks, in name order; in each, `bench` then `bench:*`.
const packages = ['packages', 'apps']
  .flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
  )
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => {
    const { name, scripts = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const names = Object.keys(scripts)
      .filter((script) => script === 'bench' || script.startsWith('bench:'))
      .sort((a, b) => (a === 'bench' ? -1 : b === 'bench' ? 1 : a.localeCompare(b)))
    return { dir, name, scripts: names.map((script) => ({ script, command: scripts[script] })) }
  })
  .filter(({ name, scripts }) => {
    if (scripts.length === 0) return false
    if (args.only === undefined) return true
    return args.only.split(',').some((wanted) => name === wanted || name === `@wesh/${wanted}`)
  })
  .sort((a, b) => a.name.localeCompare(b.name))
if (packages.length === 0) {
  progress(`no package with a bench script${args.only === undefined ? '' : ` among ${args.only}`}`)
  process.exit(1)
}

/** The commit measured: HEAD when the run starts, and whether the tree differs from it. */
function commit() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' })
  if (head.status !== 0) return undefined
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' })
  return `${head.stdout.trim()}${status.stdout.trim() === '' ? '' : ', with uncommitted changes'}`
}

const started = new Date()
const loadAtStart = os.loadavg()[0]
const revision = commit()
const jobs = packages.flatMap((pkg) => pkg.scripts.map((entry) => ({ ...pkg, ...entry })))

// Build every package the benches import (turbo's `...`: each bench package and its dependencies), and go on
// if one fails: the benches that need it will fail with their own error.
progress(`building ${packages.map((pkg) => pkg.name).join(', ')} and their dependencies`)
const build = spawnSync(
  'turbo',
  [
    'run',
    'build',
    '--continue',
    '--output-logs=errors-only',
    ...packages.map((pkg) => `--filter=${pkg.name}...`),
  ],
  { cwd: root, stdio: ['ignore', 2, 2] },
)
const buildStatus = build.status ?? 1
const buildFailure = build.error === undefined ? `turbo exited with ${buildStatus}` : build.error.message
if (buildStatus !== 0) progress(`the build failed (${buildFailure}); running the benches anyway`)

/** Signals a bench's whole process group, if it is still there. */
function stop(child, signal) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    // ESRCH: it has already exited.
  }
}
let running
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running !== undefined) stop(running, 'SIGTERM')
    process.exit(128 + os.constants.signals[signal])
  })
}

/** Runs one script as `pnpm run` would (its directory, the workspace's bins first on PATH). */
function run(job) {
  return new Promise((resolvePromise) => {
    const start = performance.now()
    const bins = [join(job.dir, 'node_modules', '.bin'), join(root, 'node_modules', '.bin')]
    // Its own process group, so a timeout or Ctrl-C stops the bench and not just the shell around it.
    const child = spawn(job.command, {
      cwd: job.dir,
      shell: true,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: [...bins, process.env.PATH].join(':'), FORCE_COLOR: '0' },
    })
    running = child
    const stdout = []
    let stderrTail = ''
    child.stdout.on('data', (chunk) => {
      stdout.push(chunk)
      process.stdout.write(chunk)
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk) => {
      stderrTail = (stderrTail + chunk).slice(-4000)
      process.stderr.write(chunk)
    })
    let timedOut = false
    let killer
    const timer = setTimeout(() => {
      timedOut = true
      stop(child, 'SIGTERM')
      killer = setTimeout(() => stop(child, 'SIGKILL'), 10_000)
    }, timeoutMinutes * 60_000)
    const finish = (failure) => {
      clearTimeout(timer)
      clearTimeout(killer)
      running = undefined
      const ms = performance.now() - start
      resolvePromise({ ...job, ms, failure, stdout: Buffer.concat(stdout).toString(), stderrTail })
    }
    child.on('error', (error) => finish(`could not start: ${error.message}`))
    child.on('close', (code, signal) => {
      if (timedOut) finish(`stopped at the ${timeoutMinutes}-minute limit, BENCH_TIMEOUT_MIN`)
      else if (code === 0) finish(undefined)
      else finish(code === null ? `ended by ${signal}` : `exit code ${code}`)
    })
  })
}

const results = []
for (const [i, job] of jobs.entries()) {
  progress(`${i + 1}/${jobs.length} ${job.name} ${job.script}: ${job.command}`)
  const result = await run(job)
  progress(
    `${i + 1}/${jobs.length} ${job.name} ${job.script}: ${result.failure ?? 'done'} in ${duration(result.ms)}`,
  )
  results.push(result)
}
const totalMs = Date.now() - started.getTime()

// eslint-disable-next-line no-control-regex -- terminal colours, should a bench print any
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '')

/** A bench's markdown with its headings moved under its section's `##` (its top level becomes `###`), no colours. */
function nested(markdown) {
  const lines = plain(markdown).split('\n')
  let fenced = false
  const headings = lines.map((line) => {
    if (line.startsWith('```')) fenced = !fenced
    return fenced ? 0 : (/^(#{1,6}) /.exec(line)?.[1]?.length ?? 0)
  })
  const shift = Math.max(0, 3 - Math.min(...headings.filter((level) => level > 0)))
  return lines
    .map((line, i) =>
      headings[i] > 0 ? `${'#'.repeat(Math.min(6, headings[i] + shift) - headings[i])}${line}` : line,
    )
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()
}

function machine() {
  const cpus = os.cpus()
  const release = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  const distribution = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1]
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${distribution ?? os.type()}, ${os.type()} ${os.release()} ${os.arch()}`,
  ].join(', ')
}

const failed = results.filter((result) => result.failure !== undefined)
const reproduce = [
  ...settings,
  'pnpm bench',
  ...(args.quick ? ['--quick'] : []),
  ...(args.only === undefined ? [] : ['--only', args.only]),
].join(' ')
const lines = [
  '# Benchmarks',
  '',
  '<!-- Written by `pnpm bench` (tooling/scripts/bench-all.mjs): change the benches, then run it again. -->',
  '',
  ...(args.quick
    ? [
        `> **Smoke run** (\`--quick\`: ${Object.keys(QUICK_ENV).join(', ')} cut down): the benches work; the figures are not measurements.`,
        '',
      ]
    : []),
  `- Machine: ${machine()}`,
  `- Node: ${process.version}`,
  `- Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; the run took ${duration(totalMs)}; load average ${loadAtStart.toFixed(2)} when it started`,
  ...(revision === undefined ? [] : [`- Commit: ${revision}`]),
  `- Reproduce: \`${reproduce}\` at the repository root (\`pnpm\` is \`npx -y pnpm@10.34.9\`)`,
  '',
  'Each figure stands next to a baseline measured in the same run on the same machine: the `vs baseline` column,',
  'or the baseline row or column its table names. Compare figures within one run, not across runs or machines.',
  '',
  ...(buildStatus === 0 ? [] : [`**The build failed** (${buildFailure}).`, '']),
  '| package | script | result | time |',
  '|---|---|---|---:|',
  ...results.map(
    (result) =>
      `| ${result.name} | \`${result.script}\` | ${result.failure === undefined ? 'ok' : `**failed**: ${result.failure}`} | ${duration(result.ms)} |`,
  ),
  '',
  ...results.flatMap((result) => [
    `## ${result.name}: \`${result.script}\``,
    '',
    `\`${result.command}\` in \`${relative(root, result.dir)}\`, ${duration(result.ms)}`,
    '',
    ...(result.stdout.trim() === '' ? [] : [nested(result.stdout), '']),
    ...(result.failure === undefined
      ? []
      : [
          `**Failed** (${result.failure}). The end of its stderr:`,
          '',
          '```text',
          plain(result.stderrTail).trimEnd() || '(nothing)',
          '```',
          '',
        ]),
  ]),
]
// Formatted as `pnpm format` would, so the file stays as written by this script after a format pass.
const markdown = await prettier.format(lines.join('\n'), {
  ...(await prettier.resolveConfig(out)),
  filepath: out,
})
writeFileSync(out, markdown)
progress(
  `wrote ${relative(process.cwd(), out)}: ${results.length - failed.length} of ${results.length} scripts ok in ${duration(totalMs)}`,
)
process.exitCode = failed.length === 0 && buildStatus === 0 ? 0 : 1
