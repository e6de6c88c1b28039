import { pEvent } from 'p-event'

/** The next `type` event of `target`, typed as the caller expects (tests only). */
export async function nextEvent<T = Event>(target: EventTarget, type: string): Promise<T> {
  return (await pEvent(target, type)) as T
}

/** The `detail` of the next `type` CustomEvent of `target`. */
export async function nextDetail<T>(target: EventTarget, type: string): Promise<T> {
  return (await nextEvent<CustomEvent<T>>(target, type)).detail
}
