/**
 * Overwrites secrets with zeros once they are spent. JavaScript cannot promise that no copy survives
 * elsewhere (engines may move memory), but every buffer this library owns is cleared as soon as it is done.
 */
export function erase(...secrets: (Uint8Array | undefined)[]): void {
  for (const secret of secrets) secret?.fill(0)
}
