import type { ContactRequests, DeviceLinking } from '@wesh/contacts'
import type { WeshAccount, WeshNetworkOptions, WeshNode } from '@wesh/groups/node'
import type { Log } from '../log.js'
import type { ProfileConfig } from '../profile.js'
import type { MessageFeed } from './message-feed.js'

/**
 * What the API routes work on: the running node, the account open on it, its contact-request and device-linking
 * services, and the profile's settings.
 */
export interface DaemonContext {
  readonly node: WeshNode
  /** The network options the node was started with (what `wesh status` reports as discovery systems). */
  readonly network: WeshNetworkOptions
  readonly account: WeshAccount
  readonly config: ProfileConfig
  readonly feed: MessageFeed
  readonly contacts: ContactRequests
  readonly linking: DeviceLinking
  readonly log: Log
}
