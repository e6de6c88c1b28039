// Typechecks the ```ts blocks of the package README in the current directory, against the package as
// published (its dist types), so a README example that no longer compiles fails CI.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = join(process.cwd(), '.readme-snippets')
const readme = existsSync('README.md') ? readFileSync('README.md', 'utf8') : ''
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
rmSync(dir, { recursive: true, force: true })
if (snippets.length === 0) process.exit(0)
mkdirSync(dir)
// Each snippet is a module of its own, so top-level names do not clash between snippets.
snippets.forEach((code, i) => writeFileSync(join(dir, `snippet-${i + 1}.ts`), `${code}\nexport {}\n`))
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: { noUnusedLocals: false },
    include: ['*.ts'],
  }),
)
try {
  execFileSync('tsc', ['--noEmit', '-p', dir], { stdio: 'inherit' })
  console.log(`README: ${snippets.length} TypeScript snippet(s) compile`)
} catch {
  console.error('README: a TypeScript snippet does not compile (see above)')
  process.exitCode = 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
