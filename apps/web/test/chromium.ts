import { accessSync, constants } from 'node:fs'

/** Where Debian's `chromium` package puts the browser; `CHROMIUM` overrides it. */
const CANDIDATES = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser']

/** The Chromium to drive, or an error that says how to get it (`.ci/run` installs it when missing). */
export function chromiumPath(): string {
  for (const path of CANDIDATES) {
    if (path === undefined || path === '') continue
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // not this one
    }
  }
  throw new Error("no Chromium found: install Debian's package (apt-get install -y chromium) or set CHROMIUM")
}
