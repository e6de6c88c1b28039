/** Daemon logs: one line per event on stderr, as text for a person or as JSON lines with `--json`. */
export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void

export function createLog(json: boolean, stream: NodeJS.WritableStream = process.stderr): Log {
  return (level, msg, fields = {}) => {
    const time = new Date().toISOString()
    if (json) {
      stream.write(`${JSON.stringify({ time, level, msg, ...fields })}\n`)
      return
    }
    const details = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ')
    stream.write(
      `${time.slice(11, 19)} ${level === 'info' ? '' : `${level}: `}${msg}${details ? ` ${details}` : ''}\n`,
    )
  }
}
