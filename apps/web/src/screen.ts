import { isWeshError } from '@wesh/crypto'
import { element } from './dom.js'

/** The page's two fixed places: the screen shown, and the status line above it. */
export const app = document.querySelector<HTMLElement>('#app') as HTMLElement
export const status = document.querySelector<HTMLElement>('#status') as HTMLElement

/** Aborted when the screen it belongs to is replaced: ends that screen's follow loops and subscriptions. */
let leaving = new AbortController()

/** Replaces the screen; `build` gets a signal that aborts when this screen is replaced in turn. */
export function showScreen(name: string, build: (signal: AbortSignal) => Node[]): void {
  leaving.abort()
  leaving = new AbortController()
  app.replaceChildren(...build(leaving.signal))
  app.dataset['screen'] = name
}

/** Calls `render` after every update of `session`'s logs until `signal` aborts (the screen was left). */
export async function followUpdates(
  session: { nextUpdate(): Promise<void> },
  signal: AbortSignal,
  render: () => void,
): Promise<void> {
  for (;;) {
    await session.nextUpdate()
    if (signal.aborted) return
    render()
  }
}

/** Puts the status line back once an action succeeds after a failed one (set when the node has started). */
let clearError = () => {}
export function onErrorCleared(restore: () => void): void {
  clearError = restore
}

/** Runs a UI action; a failure shows its WeshError code in the status line until an action succeeds. */
export function run(action: () => Promise<unknown>): void {
  action().then(
    () => {
      if (status.dataset['error'] === undefined) return
      delete status.dataset['error']
      clearError()
    },
    (error: unknown) => {
      const code = isWeshError(error) ? error.code : 'ERROR'
      status.textContent = `${code}: ${error instanceof Error ? error.message : String(error)}`
      status.dataset['error'] = code
      console.error(error)
    },
  )
}

/** A form of one or more fields and a submit button that runs `submit` (through {@link run}). */
export function actionForm(
  fields: readonly HTMLElement[],
  button: { label: string; testId: string },
  submit: () => Promise<unknown>,
  className = '',
): HTMLFormElement {
  const form = element('form', className ? { class: className } : {}, [
    ...fields,
    element('button', { 'data-testid': button.testId }, [button.label]),
  ])
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    run(submit)
  })
  return form
}
