export interface BenchTask {
  name: string
  fn: () => unknown
  /** Marks the group's baseline; by default the first task is. */
  baseline?: boolean
}
export interface BenchGroup {
  title: string
  tasks: BenchTask[]
}
export interface BenchRow {
  group: string
  name: string
  opsPerSecond: number
  meanUs: number
  rme: number
  vsBaseline: string
}
/** Runs every group and prints one markdown table, each task next to its group's same-run baseline. */
export function runBenchTable(
  title: string,
  groups: BenchGroup[],
  options?: { time?: number },
): Promise<BenchRow[]>
