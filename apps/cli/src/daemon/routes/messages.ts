import { utf8ToBytes } from '@wesh/crypto'
import type { MessageView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import { DEFAULT_READ_LIMIT } from '../../constants.js'
import type { DaemonContext } from '../context.js'
import { findGroup } from '../group-lookup.js'
import { countParameter, stringField } from '../request-fields.js'
import { messageView } from '../views.js'

/** Messages: `wesh send`, `wesh read [--follow]`, `wesh chat`. */
export function messageRoutes({ account, feed }: DaemonContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/groups/:group/messages',
      kind: 'json',
      async handle({ params, body }): Promise<{ id: string }> {
        const text = stringField(body, 'text')
        const session = await findGroup(account, params.group ?? '')
        return { id: await feed.send(session, utf8ToBytes(text)) }
      },
    },
    {
      method: 'GET',
      path: '/v1/groups/:group/messages',
      kind: 'stream',
      async handle({ params, query, signal }): Promise<AsyncIterable<MessageView>> {
        const session = await findGroup(account, params.group ?? '')
        const limit = countParameter(query, 'limit', DEFAULT_READ_LIMIT)
        const follow = query.get('follow') === 'true'
        const messages = feed.follow(session, { limit, follow, signal })
        return (async function* () {
          for await (const message of messages) yield messageView(session, message)
        })()
      },
    },
  ]
}
