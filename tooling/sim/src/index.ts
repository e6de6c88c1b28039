/**
 * The resilience harness of the Wesh monorepo (issue 10): many real Wesh nodes through partitions, Bluetooth
 * islands, churn and SIGKILL, checked for convergence. Private: used by its own scripts and tests.
 * @packageDocumentation
 */
export { SeededRandom, randomSeed } from './random.js'
export {
  type SimStep,
  type RandomScheduleOptions,
  describeStep,
  randomSchedule,
  smallSchedule,
} from './schedule.js'
export { SimNetwork, type SimNodeNetwork } from './sim-network.js'
export { SimDevice, type RejectionListener } from './sim-device.js'
export { groupStateDigest } from './group-state-digest.js'
export { waitForConvergence, headsOf, viewOf, type ReplicaView } from './convergence.js'
export { runSimulation, type SimulationOptions, type SimulationReport } from './simulation.js'
export { runCrashTest, type CrashTestOptions, type CrashTestResult } from './crash/crash-test.js'
export type { CrashChildConfig, CrashCommand, CrashReport } from './crash/crash-protocol.js'
export { simulationTable, crashTable, machineLine, type SimulationRow } from './report-table.js'
export {
  runRendezvousLoad,
  type RendezvousLoadOptions,
  type RendezvousLoadReport,
} from './load/rendezvous-load.js'
export {
  runReplicationLoad,
  type ReplicationLoadOptions,
  type ReplicationLoadReport,
} from './load/replication-load.js'
export { rendezvousLoadTable, replicationLoadTable } from './load/load-table.js'
export { fuzzTargets, type FuzzTarget, type InputKind } from './fuzz/targets.js'
export {
  fuzzAll,
  fuzzTarget,
  vectorCorpus,
  type FuzzFinding,
  type FuzzTargetResult,
} from './fuzz/run-fuzz.js'
export { fuzzTable } from './fuzz/fuzz-table.js'
export { fuzzScriptArgs, runFuzzScript, type FuzzScriptArgs } from './fuzz/fuzz-script.js'
export {
  FUZZ_HTTP_TIMEOUT_MS,
  fuzzHttpRequest,
  type FuzzHttpApi,
  type FuzzHttpRequest,
} from './fuzz/http-request.js'
