import { readFileSync } from 'node:fs'

/** Reads `test/vectors/<name>.json`: independent vectors, never produced by the code under test. */
export function loadVectors<Case>(name: string): Case[] {
  const file = JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), 'utf8')) as {
    cases: Case[]
  }
  return file.cases
}
