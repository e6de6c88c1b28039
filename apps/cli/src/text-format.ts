import type { GroupView, MessageView, PollView } from './api/schema.js'

// How results read for a person. Keys are long hex: the first 12 characters name them well enough on screen,
// and every command takes such a prefix back.

export const SHORT_ID_CHARS = 12

export function shortId(hex: string): string {
  return hex.slice(0, SHORT_ID_CHARS)
}

export function groupLabel(group: Pick<GroupView, 'id' | 'name'>): string {
  return group.name === null ? shortId(group.id) : `${group.name} (${shortId(group.id)})`
}

export function messageLine(message: MessageView): string {
  const who = message.self
    ? 'me'
    : message.sender === null
      ? `device ${shortId(message.device)}`
      : shortId(message.sender)
  return `${who}: ${message.text}`
}

export function pollLines(poll: PollView): string[] {
  const width = Math.max(...poll.options.map((option) => option.text.length))
  return [
    `poll ${shortId(poll.id)}: ${poll.question} (${poll.voters} voter${poll.voters === 1 ? '' : 's'})`,
    ...poll.options.map(
      (option, index) =>
        `  ${index + 1}. ${option.text.padEnd(width)}  ${option.votes}${poll.myVote === index ? '  ← your vote' : ''}`,
    ),
  ]
}

/** Rows of cells as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)))
  return rows.map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  )
}
