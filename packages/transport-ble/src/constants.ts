/** Bytes of the ATT header (opcode + handle) in every GATT write or notification: a packet carries `mtu - 3`. */
export const ATT_HEADER_BYTES = 3
/** Smallest ATT MTU (Bluetooth Core spec, the default before an MTU exchange): 20-byte packets. */
export const MIN_MTU = 23
/** Largest ATT MTU a GATT characteristic value allows (512 bytes + 5). */
export const MAX_MTU = 517
/** MTU of a simulated link unless configured: what iOS and most Android phones negotiate. */
export const DEFAULT_MTU = 185
/** Throughput cap of each direction of a simulated link unless configured, bytes per second. */
export const DEFAULT_THROUGHPUT_BYTES_PER_SECOND = 100_000
/** One-way latency of a simulated link unless configured, milliseconds. */
export const DEFAULT_LATENCY_MS = 10
/** Longest device id; ids are 1–64 characters of `[A-Za-z0-9._~-]` so they fit a multiaddr path segment. */
export const MAX_DEVICE_ID_LENGTH = 64
/** Largest advertisement payload (this transport puts the libp2p peer id in it: 38 bytes for Ed25519). */
export const MAX_ADVERTISEMENT_BYTES = 64
/** Largest frame (length-prefixed unit above the fragments); longer writes are cut into frames of this size. */
export const MAX_FRAME_BYTES = 16_384
/** Most data packets in flight without acknowledgement, and the receive window, in packets. */
export const WINDOW_PACKETS = 64
/** Bytes a link buffers for sending before `write()` returns false (back-pressure: wait for `drain`). */
export const MAX_SEND_BUFFER_BYTES = 65_536
/** Retransmission timeouts in a row without any progress after which the link is declared dead. */
export const MAX_RETRANSMISSIONS = 10
/** Bounds of the adaptive retransmission timeout (RFC 6298 estimator), milliseconds. */
export const MIN_RTO_MS = 30
export const MAX_RTO_MS = 3_000
export const INITIAL_RTO_MS = 300
/** A receiver acknowledges after this many in-order packets, or after `ACK_DELAY_MS`, whichever comes first. */
export const ACK_EVERY_PACKETS = 4
export const ACK_DELAY_MS = 2
/**
 * How long a side that received the peer's close keeps the radio link to re-acknowledge it, milliseconds: the
 * peer's whole retransmission budget (`MAX_RETRANSMISSIONS` + 1 timeouts of at most `MAX_RTO_MS`), so however late
 * a retransmitted close comes after a lost acknowledgement, it is answered. The peer takes the radio link down as
 * soon as its close is acknowledged (or it gives up), so in practice this runs out only when the peer vanished.
 */
export const FIN_LINGER_MS = (MAX_RETRANSMISSIONS + 1) * MAX_RTO_MS
/** Packets a simulated link queues for the air before `send()` returns false. */
export const SIMULATED_TX_QUEUE_PACKETS = 8
