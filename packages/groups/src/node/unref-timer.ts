/**
 * Lets the process exit while `timer` is pending. Node's timers have `unref`; a browser's are plain numbers and
 * never hold a page open, so there is nothing to do there.
 */
export function unrefTimer(timer: unknown): void {
  ;(timer as { unref?: () => void }).unref?.()
}
