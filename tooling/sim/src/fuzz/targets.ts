import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { fromBase64, fromBase64Url, fromHex, randomBytes, utf8ToBytes } from '@wesh/crypto'
import {
  AccountKeys,
  EventType,
  accountGroup,
  WIRE_MESSAGE_NAMES,
  contactCardLink,
  createMultiMemberGroup,
  createPoll,
  decodeAppEvent,
  decodeHello,
  decodeRequesterAcknowledge,
  decodeWire,
  encodeAppEvent,
  encodeContactCard,
  encodeHello,
  encodeInvitation,
  encodeRequesterAcknowledge,
  invitationLink,
  libp2pPublicKey,
  memberDeviceAdded,
  memberKeySeed,
  openAttachment,
  openDeviceChainKey,
  openGroupEvent,
  openMessage,
  openMessageHeaders,
  openRequesterAuthenticate,
  openResponderAccept,
  parseContactCard,
  parseContactCardLink,
  parseInvitation,
  parseInvitationLink,
  parseLibp2pPublicKey,
  sealAttachment,
  sealDeviceChainKey,
  sealGroupEvent,
  sealMessage,
  sealRequesterAuthenticate,
  sealResponderAccept,
  signEntry,
  verifyEntry,
} from '@wesh/groups'
import { RatchetSender } from '@wesh/ratchet'
import {
  decodeLocalRecords,
  decodeRequest,
  decodeResponse,
  encodeMessage,
  MessageType,
  namespaceToPoint,
  ResponseStatus,
  openPeerRecord,
} from '@wesh/rendezvous'
import {
  decodeReplicationDeviceGrant,
  decodeReplicationRequest,
  decodeReplicationResponse,
  encodeReplicationDeviceGrant,
  encodeReplicationRequest,
  groupIdFromHex,
  replicationDeviceGrant,
  replicationGroupFromJson,
  replicationGroupOf,
  replicationGroupToJson,
  ReplicationTokens,
} from '@wesh/replication'
import { encodeLinkCode, linkCodeText, parseLinkCode } from '@wesh/contacts'
import {
  DEFAULT_MTU,
  ResetReason,
  decodeAdvertisement,
  decodePacket,
  encodeAdvertisement,
  encodePacket,
} from '@wesh/transport-ble'
import { ed25519PublicKey } from '@wesh/crypto'

/** What a decoder takes: bytes, text (links, codes, hex), or a parsed JSON value (files, API bodies). */
export type InputKind = 'bytes' | 'text' | 'json'

/** One decoder under fuzz, with valid inputs to mutate (its corpus, besides the shared test vectors). */
export interface FuzzTarget {
  /** `package: function`, as the findings name it. */
  readonly name: string
  readonly kind: InputKind
  readonly decode: (input: never) => unknown
  readonly corpus: readonly unknown[]
  /** Share of the run's budget: below 1 for decoders whose every valid-looking input costs a KDF. */
  readonly budget?: number
}

const target = <K extends InputKind>(
  name: string,
  kind: K,
  decode: (input: K extends 'bytes' ? Uint8Array : K extends 'text' ? string : unknown) => unknown,
  corpus: readonly unknown[] = [],
): FuzzTarget => ({ name, kind, decode, corpus })

/**
 * Every decoder that the packages export for bytes, text or JSON from outside — protobuf messages, envelopes,
 * events, handshake frames, Bluetooth advertisements, rendezvous messages, links and QR payloads, replication
 * API bodies — each with a corpus of valid inputs made with the packages' own encoders (keys made here).
 */
export function fuzzTargets(): FuzzTarget[] {
  const { group, groupSeed } = createMultiMemberGroup()
  const account = AccountKeys.create()
  const memberSeed = memberKeySeed(group, {
    accountSeed: account.accountSeed(),
    aliasSeed: account.aliasSeed(),
  })
  const memberPk = ed25519PublicKey(memberSeed)
  const device = randomBytes(32)
  const devicePk = ed25519PublicKey(device)
  const event = sealGroupEvent({
    group,
    event: {
      eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
      payload: memberDeviceAdded(memberSeed, devicePk),
    },
    signingKey: device,
  })
  const announce = sealGroupEvent({
    group,
    event: { eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED, payload: { memberPk } },
    signingKey: groupSeed,
  })
  const chainBox = sealDeviceChainKey({
    senderDeviceSeed: device,
    recipientMemberId: memberPk,
    groupId: group.publicKey,
    chainKey: randomBytes(32),
    counter: 0,
  })
  const sender = RatchetSender.create(group.publicKey)
  const { envelope } = sealMessage({
    secret: group.secret,
    sender,
    deviceKey: device,
    plaintext: encodeAppEvent({ ...createPoll({ question: 'q?', options: ['a', 'b'] }).event }),
  })
  const attachmentKey = randomBytes(32)
  const keys = { ab: randomBytes(32), requesterBoxKey: randomBytes(32), responderBoxKey: randomBytes(32) }
  const card = {
    accountId: account.accountId,
    publicRendezvousSeed: randomBytes(32),
    metadata: utf8ToBytes('Ana'),
  }
  const peerId = peerIdFromString('12D3KooWBZgg4rd3co1bTPbEVEPMBgHLsrFrxj75kLka9meLz1TE')
  const address = multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peerId.toString()}`)
  const code = {
    peerId,
    multiaddrs: [address],
    codeId: randomBytes(16),
    secret: randomBytes(32),
    expiresAt: Date.now() + 60_000,
  }
  const linkCode = encodeLinkCode(code)
  const replication = replicationGroupOf(group)
  const addRequest = encodeReplicationRequest({
    kind: 'add',
    group: replication,
    token: 'token-0123456789abcdef',
  })
  const grant = encodeReplicationDeviceGrant(
    replicationDeviceGrant(
      accountGroup({ accountSeed: account.accountSeed(), aliasSeed: account.aliasSeed() }).group,
      randomBytes(32),
    ),
  )
  const rendezvousRequest = encodeMessage({
    type: MessageType.DISCOVER,
    discover: { ns: 'wesh', limit: 10n, cookie: new Uint8Array(randomBytes(12)) },
  })
  const entries = [signEntry(group.secret, event), signEntry(group.secret, announce)]
  const bytes = [event, announce, envelope, chainBox, ...entries, addRequest, grant, rendezvousRequest]

  return [
    ...WIRE_MESSAGE_NAMES.map((name) =>
      target(`groups: decodeWire('${name}')`, 'bytes', (b) => decodeWire(name, b), bytes),
    ),
    target('groups: parseInvitation', 'bytes', parseInvitation, [encodeInvitation(group)]),
    target('groups: parseInvitationLink', 'text', parseInvitationLink, [invitationLink(group)]),
    target('groups: parseContactCard', 'bytes', parseContactCard, [encodeContactCard(card)]),
    target('groups: parseContactCardLink', 'text', parseContactCardLink, [contactCardLink(card)]),
    target('groups: verifyEntry', 'bytes', (b) => verifyEntry(group.signPublicKey, b), entries),
    target('groups: openGroupEvent', 'bytes', (b) => openGroupEvent(group, b), [event, announce]),
    target('groups: openMessageHeaders', 'bytes', (b) => openMessageHeaders(group.secret, b), [envelope]),
    target(
      'groups: openMessage',
      'bytes',
      (b) => openMessage({ secret: group.secret, envelope: b, receiverFor: () => undefined }),
      [envelope],
    ),
    target(
      'groups: openDeviceChainKey',
      'bytes',
      (b) =>
        openDeviceChainKey({
          recipientMemberSeed: memberSeed,
          senderDeviceId: devicePk,
          groupId: group.publicKey,
          box: b,
        }),
      [chainBox],
    ),
    target('groups: openAttachment', 'bytes', (b) => openAttachment(attachmentKey, b), [
      sealAttachment(attachmentKey, randomBytes(100)),
    ]),
    target('groups: decodeAppEvent', 'bytes', decodeAppEvent, [
      encodeAppEvent(createPoll({ question: 'q?', options: ['a', 'b'] }).event),
    ]),
    target('groups: decodeHello', 'bytes', decodeHello, [encodeHello(randomBytes(32))]),
    target(
      'groups: openRequesterAuthenticate',
      'bytes',
      (b) => openRequesterAuthenticate({ keys, frame: b }),
      [sealRequesterAuthenticate({ keys, accountSeed: account.accountSeed(), accountId: account.accountId })],
    ),
    target(
      'groups: openResponderAccept',
      'bytes',
      (b) => {
        openResponderAccept({ keys, peerAccountId: account.accountId, frame: b })
      },
      [sealResponderAccept({ keys, accountSeed: account.accountSeed() })],
    ),
    target('groups: decodeRequesterAcknowledge', 'bytes', decodeRequesterAcknowledge, [
      encodeRequesterAcknowledge(),
    ]),
    target('groups: parseLibp2pPublicKey', 'bytes', parseLibp2pPublicKey, [
      libp2pPublicKey(account.accountId),
    ]),
    target('groups: AccountKeys.fromState', 'json', (v) => AccountKeys.fromState(v as never), [
      account.exportState(),
    ]),
    target('rendezvous: decodeRequest', 'bytes', decodeRequest, [rendezvousRequest]),
    target('rendezvous: decodeResponse', 'bytes', decodeResponse, [
      encodeMessage({
        type: MessageType.DISCOVER_RESPONSE,
        discoverResponse: {
          registrations: [],
          cookie: new Uint8Array(randomBytes(12)),
          status: ResponseStatus.OK,
          statusText: 'OK',
        },
      }),
    ]),
    target('rendezvous: decodeLocalRecords', 'bytes', decodeLocalRecords),
    target('rendezvous: openPeerRecord', 'bytes', openPeerRecord),
    target('rendezvous: namespaceToPoint', 'text', namespaceToPoint),
    target('replication: decodeReplicationRequest', 'bytes', decodeReplicationRequest, [addRequest]),
    target('replication: decodeReplicationResponse', 'bytes', decodeReplicationResponse),
    target('replication: decodeReplicationDeviceGrant', 'bytes', decodeReplicationDeviceGrant, [grant]),
    target('replication: replicationGroupFromJson', 'json', replicationGroupFromJson, [
      replicationGroupToJson(replication),
    ]),
    target('replication: groupIdFromHex', 'text', groupIdFromHex, [
      Buffer.from(group.publicKey).toString('hex'),
    ]),
    target('replication: ReplicationTokens.fromJSON', 'json', (v) => ReplicationTokens.fromJSON(v), [
      { v: 1, tokens: [{ name: 'ana', token: 'token-0123456789abcdef', maxGroups: 10 }] },
    ]),
    target('contacts: parseLinkCode (bytes)', 'bytes', parseLinkCode, [linkCode]),
    target('contacts: parseLinkCode (text)', 'text', parseLinkCode, [linkCodeText(code)]),
    target('transport-ble: decodeAdvertisement', 'bytes', decodeAdvertisement, [encodeAdvertisement(peerId)]),
    target('transport-ble: decodePacket', 'bytes', (bytes) => decodePacket(bytes, DEFAULT_MTU), [
      encodePacket({ type: 'data', seq: 7, frameLength: 40, payload: randomBytes(20) }),
      encodePacket({ type: 'data', seq: 8, frameLength: undefined, payload: randomBytes(20) }),
      encodePacket({ type: 'fin', seq: 9 }),
      encodePacket({ type: 'ack', next: 10, credit: 64, sack: 5n }),
      encodePacket({ type: 'reset', reason: ResetReason.TIMEOUT }),
      encodePacket({ type: 'probe' }),
    ]),
    target('crypto: fromHex', 'text', fromHex, ['00ff']),
    target('crypto: fromBase64', 'text', fromBase64, ['AP8=']),
    target('crypto: fromBase64Url', 'text', fromBase64Url, ['AP8']),
  ]
}
