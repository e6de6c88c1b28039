import { CliErrorCode, cliError } from '../errors.js'

// Reading API request bodies: a missing or ill-typed field is BAD_REQUEST (a client bug), never a crash.

function field(body: unknown, name: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw cliError(CliErrorCode.BAD_REQUEST, 'request body must be a JSON object')
  }
  return (body as Record<string, unknown>)[name]
}

function bad(name: string, expected: string) {
  return cliError(CliErrorCode.BAD_REQUEST, `field "${name}" must be ${expected}`, { data: { field: name } })
}

export function stringField(body: unknown, name: string): string {
  const value = field(body, name)
  if (typeof value !== 'string') throw bad(name, 'a string')
  return value
}

export function optionalStringField(body: unknown, name: string): string | undefined {
  const value = field(body, name)
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw bad(name, 'a string')
  return value
}

export function stringListField(body: unknown, name: string): string[] {
  const value = field(body, name)
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw bad(name, 'a list of strings')
  }
  return value
}

export function booleanField(body: unknown, name: string): boolean {
  const value = field(body, name)
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw bad(name, 'true or false')
  return value
}

/** A non-negative integer query parameter, or `fallback` when absent. */
export function countParameter(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name)
  if (value === null) return fallback
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) throw bad(name, 'a non-negative integer')
  return number
}
