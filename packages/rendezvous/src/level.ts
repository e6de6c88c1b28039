/**
 * Node-only parts of `@wesh/rendezvous`: the LevelDB registration store of rendezvous servers.
 * @packageDocumentation
 */
export { LevelRegistrationStore, LEVEL_STORE_VERSION } from './level-registration-store.js'
