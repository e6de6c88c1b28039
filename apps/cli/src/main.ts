#!/usr/bin/env node
import { CommanderError } from 'commander'
import { Output } from './output.js'
import { createProgram } from './program.js'

const program = createProgram()
try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage mistakes (already printed by commander) exit 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else {
    new Output(process.argv.includes('--json')).error(error)
    process.exitCode = 1
  }
}
