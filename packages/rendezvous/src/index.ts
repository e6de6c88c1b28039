/**
 * Rotating rendezvous points (PROTOCOL.md §2) and the discovery systems that carry them.
 *
 * @example
 * ```ts
 * import { rendezvousPoint, accountContactTopic, pointToCid, pointToNamespace } from '@wesh/rendezvous'
 * import { randomBytes } from '@wesh/crypto'
 *
 * const accountId = randomBytes(32), publicRendezvousSeed = randomBytes(32)
 * const point = rendezvousPoint(accountContactTopic(accountId), publicRendezvousSeed, Date.now())
 * pointToCid(point).toString() // DHT key: 'bafkrei…'
 * pointToNamespace(point) // rendezvous-server namespace: standard base64 of the point
 * ```
 * @packageDocumentation
 */
export {
  rendezvousPoint,
  periodStart,
  assertPeriod,
  accountContactTopic,
  groupLogTopic,
  pointToCid,
  pointToNamespace,
  namespaceToPoint,
  pointsToAnnounce,
  pointsToLookUp,
  type Period,
} from './rendezvous-point.js'
export {
  PointAnnouncer,
  DEFAULT_RETRY_MS,
  REFRESH_FRACTION,
  type PointAnnouncerInit,
  type PointAnnouncerEvents,
  type PointEventDetail,
} from './point-announcer.js'
export type { Discovery, DiscoveredPeer, RegisterOptions, LookupOptions, Registration } from './discovery.js'
export {
  CombinedDiscovery,
  mergePeerSources,
  lookupTopic,
  type PeerSource,
  type LookupTopicOptions,
} from './combined-discovery.js'
export {
  DhtDiscovery,
  dhtDiscovery,
  rendezvousDht,
  DEFAULT_DHT_PROTOCOL,
  DHT_RECORD_LIFETIME_SECONDS,
  DEFAULT_DHT_TIMEOUT_MS,
  type DhtDiscoveryInit,
  type DhtDiscoveryEvents,
  type DhtRouting,
  type RendezvousDhtInit,
} from './dht-discovery.js'
export {
  LocalRecords,
  localRecords,
  MAX_LOCAL_PEERS,
  DEFAULT_LOCAL_EXCHANGE_TIMEOUT_MS,
  type LocalRecordsInit,
  type LocalRecordsComponents,
  type LocalRecordsEvents,
  type LocalRecordsStats,
} from './local-records.js'
export {
  LOCAL_RECORDS_PROTOCOL,
  MAX_LOCAL_RECORDS,
  MAX_LOCAL_RECORDS_BYTES,
  DEFAULT_DIRECT_PROTOCOLS,
  isBleConnection,
  isDirectAddress,
  decodeLocalRecords,
  encodeLocalRecords,
  LocalRecordList,
  type IsDirect,
  type LocalRecord,
  type LocalRecordsMessage,
} from './local-records-protocol.js'
export { systemClock, MAX_TIMER_MS, type Clock } from './clock.js'
export { RendezvousErrorCode } from './errors.js'
export {
  DEFAULT_PERIOD_SECONDS,
  MIN_PERIOD_SECONDS,
  MAX_PERIOD_SECONDS,
  POINT_BYTES,
  MAX_TOPIC_BYTES,
  MAX_SEED_BYTES,
  ACCOUNT_ID_BYTES,
  RAW_CODEC,
  SHA2_256_CODE,
  DEFAULT_TTL_SECONDS,
  MIN_TTL_SECONDS,
  MAX_TTL_SECONDS,
} from './constants.js'
export {
  RENDEZVOUS_PROTOCOL,
  MAX_NAMESPACE_BYTES,
  MAX_REGISTRATIONS_PER_PEER,
  MAX_DISCOVER_LIMIT,
  MAX_SIGNED_PEER_RECORD_BYTES,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  MAX_COOKIE_BYTES,
  MAX_STATUS_TEXT_CHARS,
  Message as RendezvousMessage,
  ResponseStatus,
  MessageType,
  decodeRequest,
  decodeResponse,
  encodeMessage,
  type RendezvousRequest,
  type RendezvousResponse,
} from './rendezvous-protocol.js'
export {
  RendezvousService,
  RendezvousServer,
  rendezvousServer,
  DEFAULT_STREAM_IDLE_MS,
  DEFAULT_PRUNE_INTERVAL_MS,
  type RendezvousServiceInit,
  type RendezvousServerInit,
  type RendezvousServerComponents,
  type RendezvousServerStats,
} from './rendezvous-server.js'
export {
  RendezvousClient,
  rendezvousClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_DISCOVER_PAGES,
  type RendezvousClientInit,
  type RendezvousClientComponents,
} from './rendezvous-client.js'
export {
  MemoryRegistrationStore,
  type RegistrationStore,
  type StoredRegistration,
  type NewRegistration,
} from './registration-store.js'
export { sealPeerRecord, openPeerRecord, type OpenedPeerRecord } from './signed-peer-record.js'
