import type { WeshAccount, WeshNode } from '@wesh/groups/node'
import type { Log } from '../log.js'
import type { ProfileConfig } from '../profile.js'
import type { MessageFeed } from './message-feed.js'

/** What the API routes work on: the running node, the account open on it, and the profile's settings. */
export interface DaemonContext {
  readonly node: WeshNode
  readonly account: WeshAccount
  readonly config: ProfileConfig
  readonly feed: MessageFeed
  readonly log: Log
}
