import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isWeshError } from '@wesh/crypto'
import { isBleError } from '@wesh/transport-ble'
import fc from 'fast-check'
import type { FuzzTarget } from './targets.js'

/** A thrown value that is not a WeshError (or, in `@wesh/transport-ble`, a BleError) with a stable code. */
export interface FuzzFinding {
  readonly target: string
  /** The error's name and message (the first line), which groups repeats of one finding. */
  readonly error: string
  readonly count: number
  /** The first input that threw it: hex for bytes, JSON otherwise. */
  readonly input: string
}

export interface FuzzTargetResult {
  readonly target: string
  readonly cases: number
  readonly accepted: number
  /** Thrown errors by code. */
  readonly codes: Readonly<Record<string, number>>
  readonly findings: readonly FuzzFinding[]
  readonly ms: number
}

/**
 * Valid inputs from every package's test vectors (`packages/* /test/vectors/*.json`): every hex string of 2 bytes or
 * more and every string with a link prefix, so each decoder also meets the others' valid encodings.
 */
export async function vectorCorpus(repoRoot: string): Promise<{ bytes: Uint8Array[]; texts: string[] }> {
  const bytes: Uint8Array[] = []
  const texts: string[] = []
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4 && value.length % 2 === 0 && /^[0-9a-f]+$/i.test(value))
        bytes.push(Uint8Array.from(Buffer.from(value, 'hex')))
      else if (/^[a-z+-]+:\/\//i.test(value) || value.startsWith('https://')) texts.push(value)
    } else if (Array.isArray(value)) value.forEach(visit)
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit)
  }
  const packages = join(repoRoot, 'packages')
  for (const name of await readdir(packages)) {
    const directory = join(packages, name, 'test', 'vectors')
    const files = await readdir(directory).catch(() => [] as string[])
    for (const file of files.filter((f) => f.endsWith('.json')))
      visit(JSON.parse(await readFile(join(directory, file), 'utf8')) as unknown)
  }
  return { bytes, texts }
}

type Mutation = readonly [position: number, value: number, kind: 'flip' | 'set' | 'cut' | 'insert' | 'repeat']

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(seed)
  for (const [position, value, kind] of mutations) {
    const at = out.length === 0 ? 0 : position % out.length
    if (kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << (value % 8))
    else if (kind === 'set') out[at] = value
    else if (kind === 'cut') out = out.slice(0, at)
    else if (kind === 'insert') out = Uint8Array.from([...out.slice(0, at), value, ...out.slice(at)])
    else out = Uint8Array.from([...out, ...out.slice(at, at + 64)])
  }
  return out
}

const mutations = fc.array(
  fc.tuple(
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom('flip', 'set', 'cut', 'insert', 'repeat'),
  ),
  { minLength: 1, maxLength: 6 },
)

/** Random inputs of the target's kind, half of them mutations of valid ones (its corpus and the vectors). */
function inputs(target: FuzzTarget, shared: { bytes: Uint8Array[]; texts: string[] }): fc.Arbitrary<unknown> {
  if (target.kind === 'bytes') {
    const valid = [...(target.corpus as Uint8Array[]), ...shared.bytes]
    return fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.tuple(fc.constantFrom(...valid), mutations).map(([seed, m]) => mutate(seed, m)),
      fc.constantFrom(...valid),
    )
  }
  if (target.kind === 'text') {
    const valid = [...(target.corpus as string[]), ...shared.texts]
    const latin = (b: Uint8Array) => Buffer.from(b).toString('latin1')
    return fc.oneof(
      fc.string({ maxLength: 512 }),
      fc.string({ unit: 'binary', maxLength: 256 }),
      fc
        .tuple(fc.constantFrom(...valid), mutations)
        .map(([seed, m]) => latin(mutate(Buffer.from(seed, 'latin1'), m))),
      fc
        .tuple(fc.constantFrom(...valid), fc.string({ maxLength: 8 }), fc.nat())
        .map(
          ([seed, extra, at]) =>
            seed.slice(0, at % (seed.length + 1)) + extra + seed.slice(at % (seed.length + 1)),
        ),
    )
  }
  const valid = target.corpus.length > 0 ? target.corpus : [{}]
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    // A valid value with one field replaced by anything, removed, or added.
    fc
      .tuple(
        fc.constantFrom(...valid),
        fc.string({ maxLength: 12 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
      )
      .map(([seed, key, value, remove]) => {
        const copy = JSON.parse(JSON.stringify(seed)) as Record<string, unknown>
        const keys = Object.keys(copy)
        const chosen =
          keys.length > 0 && key.length % 2 === 0 ? (keys[key.length % keys.length] as string) : key
        return remove
          ? Object.fromEntries(Object.entries(copy).filter(([k]) => k !== chosen))
          : { ...copy, [chosen]: value }
      }),
  )
}

const printable = (input: unknown) =>
  input instanceof Uint8Array
    ? Buffer.from(input).toString('hex').slice(0, 512)
    : JSON.stringify(input).slice(0, 512)

/**
 * Runs `runs` fast-check cases through one decoder (seeded: the same seed gives the same inputs). A decoder may
 * return or throw; a throw must be a WeshError with a code (a BleError with a code in `@wesh/transport-ble`),
 * anything else is a finding. Returned promises (async decoders) are awaited.
 */
export async function fuzzTarget(
  target: FuzzTarget,
  shared: { bytes: Uint8Array[]; texts: string[] },
  options: { runs: number; seed: number },
): Promise<FuzzTargetResult> {
  const codes: Record<string, number> = {}
  const findings = new Map<string, { error: string; count: number; input: string }>()
  let accepted = 0
  let cases = 0
  const start = performance.now()
  await fc.assert(
    fc.asyncProperty(inputs(target, shared), async (input) => {
      cases++
      try {
        await target.decode(input as never)
        accepted++
      } catch (error) {
        if (
          (isWeshError(error) || isBleError(error)) &&
          typeof error.code === 'string' &&
          error.code !== ''
        ) {
          codes[error.code] = (codes[error.code] ?? 0) + 1
          return
        }
        const text =
          error instanceof Error
            ? `${error.name}: ${error.message.split('\n')[0] ?? ''}`
            : `non-Error: ${String(error)}`
        const known = findings.get(text)
        if (known === undefined) findings.set(text, { error: text, count: 1, input: printable(input) })
        else known.count++
      }
    }),
    { numRuns: Math.max(1, Math.round(options.runs * (target.budget ?? 1))), seed: options.seed },
  )
  return {
    target: target.name,
    cases,
    accepted,
    codes,
    findings: [...findings.values()].map((finding) => ({ target: target.name, ...finding })),
    ms: performance.now() - start,
  }
}

/** Runs every target in turn, reporting each one's totals to `progress` as it ends. */
export async function fuzzAll(
  targets: readonly FuzzTarget[],
  shared: { bytes: Uint8Array[]; texts: string[] },
  options: { runs: number; seed: number; progress?: (line: string) => void },
): Promise<FuzzTargetResult[]> {
  const results: FuzzTargetResult[] = []
  for (const target of targets) {
    const result = await fuzzTarget(target, shared, options)
    results.push(result)
    options.progress?.(
      `${target.name}: ${result.cases} cases in ${(result.ms / 1000).toFixed(1)} s, ${result.findings.length} finding(s)`,
    )
  }
  return results
}
