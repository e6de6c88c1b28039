/**
 * Contact requests over rendezvous points and linking the devices of one account (PROTOCOL.md §2, §6): the
 * network flows that bring new parties to an account, on top of `@wesh/groups`' account layer.
 *
 * @example
 * ```ts
 * import { ContactRequests } from '@wesh/contacts'
 * import { contactCardLink } from '@wesh/groups'
 * import type { WeshAccount } from '@wesh/groups/session'
 * import type { Discovery } from '@wesh/rendezvous'
 *
 * declare const account: WeshAccount, discovery: Discovery[], bobsCard: string
 * const contacts = await ContactRequests.start({ account, discovery })
 * await account.enableContactRequests() // announced on every system while enabled
 * const myCard = contactCardLink(account.contactCard(new TextEncoder().encode('Alice')))
 * const chat = await contacts.send(bobsCard) // delivered in the background, retried until sent
 * ```
 * @packageDocumentation
 */
export { ContactsErrorCode } from './errors.js'
export * from './constants.js'
export { FrameStream } from './frame-stream.js'
export {
  sendContactRequestOn,
  answerContactRequestOn,
  type HandshakeOptions,
} from './contact-request-protocol.js'
export { ContactRequests, type ContactRequestsInit, type ContactRequestsEvents } from './contact-requests.js'
export { retryDelay } from './retry-delay.js'
export {
  LINK_CODE_PREFIX,
  MAX_LINK_CODE_CHARS,
  encodeLinkCode,
  linkCodeText,
  parseLinkCode,
  type LinkCode,
} from './link-code.js'
export {
  linkTranscript,
  linkKeys,
  answerDeviceLinkOn,
  requestDeviceLinkOn,
  type CodeClaim,
  type LinkExchangeOptions,
} from './device-link-protocol.js'
export {
  DeviceLinking,
  receiveAccountKeys,
  linkDevice,
  type DeviceLinkingInit,
  type DeviceLinkingEvents,
  type ReceiveAccountKeysOptions,
} from './device-linking.js'
export { exportAccountKeyFile, importAccountKeyFile, type KeyFileV1 } from './key-file.js'
export { qrTerminal, qrSvg, qrPng, type QrOptions } from './qr-code.js'
