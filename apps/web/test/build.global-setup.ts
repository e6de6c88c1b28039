import { chromiumPath } from './chromium.js'

/** Fails early, with the way out, when the machine has no Chromium; turbo has built the page and `wesh` already. */
export default function check(): void {
  chromiumPath()
}
