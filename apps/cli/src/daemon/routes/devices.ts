import { ContactsErrorCode } from '@wesh/contacts'
import { WeshError } from '@wesh/crypto'
import type { LinkEvent } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import type { DaemonContext } from '../context.js'
import { booleanField } from '../request-fields.js'

/**
 * Linking another device to the account: `wesh device link`. Streams the one-time code (PROTOCOL.md §6.3), then,
 * with `wait`, each refused attempt and the link that succeeds. A client that hangs up while waiting revokes the
 * code: nobody is left holding a live code that its owner no longer watches.
 */
export function deviceRoutes({ linking }: DaemonContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/devices/link',
      kind: 'stream',
      handle({ body, signal }): Promise<AsyncIterable<LinkEvent>> {
        const wait = booleanField(body, 'wait')
        return Promise.resolve(
          (async function* (): AsyncGenerator<LinkEvent> {
            const events: LinkEvent[] = []
            let wake: () => void = () => undefined
            const push = (event: LinkEvent) => {
              events.push(event)
              wake()
            }
            // `link:done` does not name its code: while a code is watched here, any link that completes counts.
            const done = ({ detail }: CustomEvent<{ peer: { toString(): string } }>) => {
              push({ event: 'linked', peer: detail.peer.toString() })
            }
            const refused = ({
              detail,
            }: CustomEvent<{ peer: { toString(): string }; error: { code: string } }>) => {
              push({ event: 'refused', peer: detail.peer.toString(), code: detail.error.code })
            }
            if (wait) {
              linking.addEventListener('link:done', done)
              linking.addEventListener('link:refused', refused)
            }
            const { code, text } = linking.createLinkCode()
            let linked = false
            try {
              yield { event: 'code', link: text, expiresAt: code.expiresAt }
              if (!wait) return
              const expired = AbortSignal.timeout(Math.max(0, code.expiresAt - Date.now()))
              const stop = AbortSignal.any([signal, expired])
              stop.addEventListener(
                'abort',
                () => {
                  wake()
                },
                { once: true },
              )
              while (!linked && !stop.aborted) {
                if (events.length === 0) {
                  await new Promise<void>((resolve) => {
                    wake = resolve
                  })
                }
                for (const event of events.splice(0)) {
                  if (event.event === 'linked') linked = true
                  yield event
                }
              }
              if (!linked && expired.aborted) {
                throw new WeshError(
                  ContactsErrorCode.LINK_CODE_EXPIRED,
                  'nobody used the link code in time',
                  {
                    data: { expiresAt: code.expiresAt },
                  },
                )
              }
            } finally {
              linking.removeEventListener('link:done', done)
              linking.removeEventListener('link:refused', refused)
              if (!linked && wait) linking.revoke(code.codeId)
            }
          })(),
        )
      },
    },
  ]
}
