#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { BROWSER_STEP, LAST_STEP, nodeStory } from './node-story.js'
import { ratchetStory } from './ratchet-story.js'
import { Timeline } from './timeline.js'

const HELP = `wesh-demo — plays the Wesh protocol's story and prints a timeline

Usage: pnpm demo [--step N] [--browser] [--json] [--keep] [--help]

  --step N  play step N alone (0–6, 7 with --browser); the steps it builds on run first, quietly
  --browser also step 7: the web client in headless Chromium joins the group (needs Debian's chromium,
            or CHROMIUM=<path>, and the built page: pnpm --filter @wesh/web build)
  --json    print only the results, as JSON (for scripts)
  --keep    keep the nodes' data directories to inspect
  --help    show this help

Exits non-zero when any step fails.`

const { values } = parseArgs({
  options: {
    step: { type: 'string' },
    json: { type: 'boolean' },
    keep: { type: 'boolean' },
    browser: { type: 'boolean' },
    help: { type: 'boolean' },
  },
})
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
const browser = values.browser === true
const last = browser ? BROWSER_STEP : LAST_STEP
const only = values.step === undefined ? undefined : Number(values.step)
if (only !== undefined && !(Number.isInteger(only) && only >= 0 && only <= last)) {
  console.error(`wesh-demo: --step takes a step number from 0 to ${last}`)
  process.exit(2)
}
const json = values.json === true
const timeline = new Timeline({ quiet: json, ...(only === undefined ? {} : { only }) })
if (!json) {
  console.log('Wesh demo: the ratchet alone, then real nodes and servers on 127.0.0.1 (keys shown shortened)')
}
await ratchetStory(timeline)
if (only !== 0) await nodeStory(timeline, { keep: values.keep === true, browser })
const ok = timeline.results.length > 0 && timeline.results.every((result) => result.ok)
if (json) console.log(JSON.stringify({ ok, steps: timeline.results }, null, 2))
else console.log(timeline.table())
process.exit(ok ? 0 : 1)
