/** Runs `run` over `items`, `limit` at a time: disk writes overlap without flooding the store. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let at = 0; at < items.length; at += limit) await Promise.all(items.slice(at, at + limit).map(run))
}
