import { AbortError, TypedEventEmitter } from '@libp2p/interface'
import {
  ACK_DELAY_MS,
  ACK_EVERY_PACKETS,
  FIN_LINGER_MS,
  INITIAL_RTO_MS,
  MAX_FRAME_BYTES,
  MAX_RETRANSMISSIONS,
  MAX_RTO_MS,
  MAX_SEND_BUFFER_BYTES,
  MIN_RTO_MS,
  WINDOW_PACKETS,
} from './constants.js'
import { BleError, BleErrorCode, assertIntegerInRange, isBleError } from './errors.js'
import {
  DATA_HEADER_BYTES,
  FIRST_HEADER_BYTES,
  FrameAssembler,
  ResetReason,
  decodePacket,
  encodePacket,
  seqAdd,
  seqDiff,
  type Packet,
} from './packet.js'
import type { RadioLink, RadioLinkCloseReason } from './radio-driver.js'
import type { AbortOptions } from '@libp2p/interface'

export interface ReliableLinkOptions {
  /** Bytes buffered for sending before `write()` returns false. Default {@link MAX_SEND_BUFFER_BYTES}. */
  maxSendBufferBytes?: number
}

export interface ReliableLinkEvents {
  /** One whole frame from the peer, in order, exactly once. */
  frame: CustomEvent<Uint8Array>
  /** The send buffer has room again after `write()` returned false. */
  drain: Event
  /** The link closed: cleanly (no `error`) or with the error that ended it. Emitted once. */
  close: CustomEvent<{ error?: Error }>
}

interface InFlight {
  bytes: Uint8Array
  payloadBytes: number
  sentAt: number
  retransmitted: boolean
  sacked: boolean
  nacks: number
}

type LinkState = 'open' | 'closing' | 'closed'

interface Deferred {
  promise: Promise<void>
  resolve: () => void
  reject: (error: Error) => void
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined
  let reject: (error: Error) => void = () => undefined
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * Frames over a lossy {@link RadioLink}: fragments each frame to the link's packet size behind a length prefix,
 * numbers the packets, acknowledges them (cumulative + selective), retransmits what is lost (adaptive timeout and
 * fast retransmit), drops duplicates, and reassembles. A receiver that is paused stops opening its window, so a
 * slow reader slows the writer; the sender's own buffer is bounded and signals `drain`.
 *
 * Malformed input closes this link (and only it) with `BLE_FRAME_INVALID` / `BLE_FRAME_TOO_LARGE`; a radio link
 * that vanishes before a clean close ends it with `BLE_LINK_LOST`. Every timer is cleared when it closes.
 */
export class ReliableLink extends TypedEventEmitter<ReliableLinkEvents> {
  readonly radioLink: RadioLink
  readonly #maxSendBufferBytes: number
  readonly #maxPacketBytes: number
  #state: LinkState = 'open'
  #closeError: Error | undefined

  // Sending side.
  #pending: Uint8Array[] = []
  #pendingOffset = 0
  #bufferedBytes = 0
  #needsDrain = false
  #radioBlocked = false
  #sndUna = 0
  #sndNxt = 0
  #peerEdge = WINDOW_PACKETS
  readonly #inFlight = new Map<number, InFlight>()
  #retransmitQueue: number[] = []
  #finRequested = false
  #finSeq: number | undefined
  #finDone: Deferred | undefined
  #rto = INITIAL_RTO_MS
  #srtt: number | undefined
  #rttvar = 0
  #timeouts = 0
  #rtoTimer: ReturnType<typeof setTimeout> | undefined

  // Receiving side.
  #rcvNxt = 0
  #rcvEdge = WINDOW_PACKETS
  readonly #outOfOrder = new Map<number, Packet & { type: 'data' | 'fin' }>()
  readonly #assembler = new FrameAssembler()
  #paused = false
  #held: Uint8Array[] = []
  #unacked = 0
  #ackTimer: ReturnType<typeof setTimeout> | undefined
  #remoteFin = false
  #lingerTimer: ReturnType<typeof setTimeout> | undefined

  /** Counters for tests and diagnostics. */
  readonly stats = { packetsSent: 0, retransmissions: 0, duplicatesReceived: 0, acksSent: 0 }

  constructor(radioLink: RadioLink, options: ReliableLinkOptions = {}) {
    super()
    this.radioLink = radioLink
    this.#maxSendBufferBytes =
      options.maxSendBufferBytes === undefined
        ? MAX_SEND_BUFFER_BYTES
        : assertIntegerInRange(options.maxSendBufferBytes, 'maxSendBufferBytes', 1, 1 << 30)
    this.#maxPacketBytes = radioLink.maxPacketBytes
    if (this.#maxPacketBytes <= FIRST_HEADER_BYTES)
      throw new BleError(BleErrorCode.BLE_INVALID_ARGUMENT, 'link packets are too small to carry data', {
        data: { argument: 'radioLink', actual: this.#maxPacketBytes },
      })
    radioLink.addEventListener('packet', (event) => {
      this.#onPacket(event.detail)
    })
    radioLink.addEventListener('drain', () => {
      this.#radioBlocked = false
      this.#pump()
    })
    radioLink.addEventListener('close', (event) => {
      this.#onRadioClose(event.detail.reason)
    })
    if (!radioLink.open)
      queueMicrotask(() => {
        this.#onRadioClose('lost')
      })
  }

  /** `open`, `closing` (our close sent, waiting for it to be acknowledged) or `closed`. */
  get state(): LinkState {
    return this.#state
  }

  /** The error that closed the link, if it did not close cleanly. */
  get error(): Error | undefined {
    return this.#closeError
  }

  /** Bytes written but not yet acknowledged by the peer. */
  get bufferedBytes(): number {
    return this.#bufferedBytes
  }

  /** Timers this link holds right now (zero once closed and the radio link is gone). */
  get activeTimers(): number {
    return [this.#rtoTimer, this.#ackTimer, this.#lingerTimer].filter((timer) => timer !== undefined).length
  }

  /**
   * Queues one frame (1 to `MAX_FRAME_BYTES` bytes). Returns false when the send buffer is full: wait for `drain`.
   * Throws `BLE_LINK_CLOSED` after close and `BLE_FRAME_TOO_LARGE` for an oversized frame.
   */
  write(frame: Uint8Array): boolean {
    if (this.#state !== 'open')
      throw new BleError(BleErrorCode.BLE_LINK_CLOSED, `cannot write to a ${this.#state} link`)
    if (frame.length > MAX_FRAME_BYTES)
      throw new BleError(
        BleErrorCode.BLE_FRAME_TOO_LARGE,
        `frame of ${frame.length} bytes exceeds ${MAX_FRAME_BYTES}`,
        {
          data: { max: MAX_FRAME_BYTES, actual: frame.length },
        },
      )
    if (frame.length > 0) {
      this.#pending.push(frame.slice()) // the caller may reuse its buffer once write returns
      this.#bufferedBytes += frame.length
      this.#pump()
    }
    const canWriteMore = this.#bufferedBytes < this.#maxSendBufferBytes
    if (!canWriteMore) this.#needsDrain = true
    return canWriteMore
  }

  /** Stops delivering frames and stops opening the receive window: the peer stalls once the window is used. */
  pause(): void {
    this.#paused = true
  }

  /** Delivers held frames and reopens the window. */
  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    const held = this.#held
    this.#held = []
    for (const frame of held) {
      if (this.#state === 'closed' && !this.#remoteFin) return
      this.safeDispatchEvent('frame', { detail: frame })
    }
    if (this.#state !== 'closed') {
      this.#rcvEdge = seqAdd(this.#rcvNxt, WINDOW_PACKETS)
      this.#sendAck()
    }
  }

  /**
   * Closes cleanly: everything written is delivered and acknowledged, then our close, then the radio link goes.
   * Rejects with `BLE_LINK_LOST` if the link vanishes first, or `AbortError` when `signal` aborts.
   */
  async close(options: AbortOptions = {}): Promise<void> {
    if (this.#state === 'closed') return
    this.#finDone ??= deferred()
    const done = this.#finDone.promise
    if (!this.#finRequested) {
      this.#finRequested = true
      this.#state = 'closing'
      this.#pump()
    }
    const signal = options.signal
    if (signal === undefined) return done
    signal.throwIfAborted()
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        reject(new AbortError())
      }
      signal.addEventListener('abort', onAbort, { once: true })
      done.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', onAbort)
      })
    })
  }

  /** Closes at once with `error`: tells the peer (RESET) and drops the radio link. Idempotent. */
  abort(error: Error): void {
    const reason =
      isBleError(error, BleErrorCode.BLE_FRAME_INVALID) || isBleError(error, BleErrorCode.BLE_FRAME_TOO_LARGE)
        ? ResetReason.FRAME_INVALID
        : isBleError(error, BleErrorCode.BLE_LINK_TIMEOUT)
          ? ResetReason.TIMEOUT
          : ResetReason.ABORTED
    this.#terminate(error, reason, true)
  }

  // ---- sending ----

  #pump(): void {
    while (this.#state !== 'closed' && !this.#radioBlocked) {
      const retransmit = this.#retransmitQueue.shift()
      if (retransmit !== undefined) {
        const entry = this.#inFlight.get(retransmit)
        if (entry === undefined || entry.sacked) continue
        entry.sentAt = performance.now()
        entry.retransmitted = true
        entry.nacks = 0
        this.stats.retransmissions++
        this.#radioSend(entry.bytes)
        continue
      }
      if (seqDiff(this.#sndNxt, this.#peerEdge) >= 0 || this.#inFlight.size >= WINDOW_PACKETS) break
      const next = this.#nextDataPacket()
      if (next === undefined) break
      const seq = this.#sndNxt
      this.#sndNxt = seqAdd(seq, 1)
      this.#inFlight.set(seq, {
        bytes: next.bytes,
        payloadBytes: next.payloadBytes,
        sentAt: performance.now(),
        retransmitted: false,
        sacked: false,
        nacks: 0,
      })
      this.stats.packetsSent++
      this.#radioSend(next.bytes)
    }
    this.#armRto()
    if (this.#needsDrain && this.#state === 'open' && this.#bufferedBytes < this.#maxSendBufferBytes) {
      this.#needsDrain = false
      this.safeDispatchEvent('drain')
    }
  }

  /** The next packet to send for the first time: a fragment of the oldest frame, or our FIN after the last one. */
  #nextDataPacket(): { bytes: Uint8Array; payloadBytes: number } | undefined {
    const frame = this.#pending[0]
    if (frame === undefined) {
      if (this.#finRequested && this.#finSeq === undefined) {
        this.#finSeq = this.#sndNxt
        return { bytes: encodePacket({ type: 'fin', seq: this.#sndNxt }), payloadBytes: 0 }
      }
      return undefined
    }
    const first = this.#pendingOffset === 0
    const room = this.#maxPacketBytes - (first ? FIRST_HEADER_BYTES : DATA_HEADER_BYTES)
    const payload = frame.subarray(this.#pendingOffset, this.#pendingOffset + room)
    this.#pendingOffset += payload.length
    if (this.#pendingOffset === frame.length) {
      this.#pending.shift()
      this.#pendingOffset = 0
    }
    const bytes = encodePacket({
      type: 'data',
      seq: this.#sndNxt,
      frameLength: first ? frame.length : undefined,
      payload,
    })
    return { bytes, payloadBytes: payload.length }
  }

  #radioSend(bytes: Uint8Array): void {
    if (!this.radioLink.open) return // its close event is on the way
    try {
      if (!this.radioLink.send(bytes)) this.#radioBlocked = true
    } catch (error) {
      this.#terminate(error instanceof Error ? error : new Error(String(error)), undefined)
    }
  }

  #armRto(): void {
    if (this.#state === 'closed' || this.#rtoTimer !== undefined) return
    const windowClosed =
      (this.#pending.length > 0 || (this.#finRequested && this.#finSeq === undefined)) &&
      seqDiff(this.#sndNxt, this.#peerEdge) >= 0
    if (this.#inFlight.size === 0 && !windowClosed) return
    this.#rtoTimer = setTimeout(() => {
      this.#rtoTimer = undefined
      this.#onRto()
    }, this.#rto)
  }

  #restartRto(): void {
    if (this.#rtoTimer !== undefined) clearTimeout(this.#rtoTimer)
    this.#rtoTimer = undefined
    this.#armRto()
  }

  #onRto(): void {
    if (this.#state === 'closed') return
    this.#timeouts++
    if (this.#timeouts > MAX_RETRANSMISSIONS) {
      this.#terminate(
        new BleError(
          BleErrorCode.BLE_LINK_TIMEOUT,
          `no acknowledgement after ${MAX_RETRANSMISSIONS} retransmissions`,
          {
            data: { max: MAX_RETRANSMISSIONS },
          },
        ),
        ResetReason.TIMEOUT,
      )
      return
    }
    this.#rto = Math.min(this.#rto * 2, MAX_RTO_MS)
    if (this.#inFlight.size > 0) {
      // Go back over everything the peer has not reported, oldest first.
      this.#retransmitQueue = [...this.#inFlight.entries()]
        .filter(([, entry]) => !entry.sacked)
        .map(([seq]) => seq)
    } else {
      this.#radioSend(encodePacket({ type: 'probe' }))
    }
    this.#pump()
  }

  #onAck(packet: Packet & { type: 'ack' }): void {
    const advanced = seqDiff(packet.next, this.#sndUna)
    if (seqDiff(packet.next, this.#sndNxt) > 0) {
      this.#terminate(
        new BleError(BleErrorCode.BLE_FRAME_INVALID, 'ACK of a packet never sent', {
          data: { next: packet.next, sent: this.#sndNxt },
        }),
        ResetReason.FRAME_INVALID,
      )
      return
    }
    if (advanced < 0) return // an old ACK overtaken by newer ones
    this.#timeouts = 0
    const now = performance.now()
    let sample: number | undefined
    let finAcked = false
    for (let seq = this.#sndUna; seq !== packet.next; seq = seqAdd(seq, 1)) {
      const entry = this.#inFlight.get(seq)
      if (entry === undefined) continue
      if (!entry.retransmitted) sample = now - entry.sentAt
      this.#bufferedBytes -= entry.payloadBytes
      if (seq === this.#finSeq) finAcked = true
      this.#inFlight.delete(seq)
    }
    this.#sndUna = packet.next
    const edge = seqAdd(packet.next, packet.credit)
    if (seqDiff(edge, this.#peerEdge) > 0 || advanced > 0) this.#peerEdge = edge
    if (sample !== undefined) this.#updateRto(sample)

    // Selective acknowledgements: skip what the peer holds; three reports past a hole retransmit it.
    if (packet.sack !== 0n) {
      let highest = -1
      for (let i = 0; i < 64; i++) {
        if (((packet.sack >> BigInt(i)) & 1n) === 0n) continue
        highest = i
        const entry = this.#inFlight.get(seqAdd(packet.next, i + 1))
        if (entry !== undefined) entry.sacked = true
      }
      for (let i = -1; i < highest; i++) {
        const seq = seqAdd(packet.next, i + 1)
        const entry = this.#inFlight.get(seq)
        if (entry === undefined || entry.sacked) continue
        if (++entry.nacks === 3) this.#retransmitQueue.push(seq)
      }
    }
    if (advanced > 0) this.#restartRto()
    if (finAcked) {
      this.#finish()
      return
    }
    this.#pump()
  }

  #updateRto(sample: number): void {
    if (this.#srtt === undefined) {
      this.#srtt = sample
      this.#rttvar = sample / 2
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - sample)
      this.#srtt = 0.875 * this.#srtt + 0.125 * sample
    }
    this.#rto = Math.min(MAX_RTO_MS, Math.max(MIN_RTO_MS, this.#srtt + 4 * this.#rttvar + ACK_DELAY_MS))
  }

  // ---- receiving ----

  #onPacket(bytes: Uint8Array): void {
    if (this.#state === 'closed') {
      // After the peer's close we keep acknowledging its retransmitted FIN until the radio link goes.
      if (this.#remoteFin) this.#sendAck()
      return
    }
    let packet: Packet
    try {
      packet = decodePacket(bytes, this.#maxPacketBytes)
    } catch (error) {
      this.#terminate(error as BleError, ResetReason.FRAME_INVALID)
      return
    }
    switch (packet.type) {
      case 'ack':
        this.#onAck(packet)
        return
      case 'probe':
        this.#sendAck()
        return
      case 'reset':
        this.#terminate(
          new BleError(BleErrorCode.BLE_CONNECTION_RESET, 'the remote end reset the connection', {
            data: { reason: packet.reason },
          }),
          undefined,
        )
        return
      case 'data':
      case 'fin':
        this.#onSequenced(packet)
    }
  }

  #onSequenced(packet: Packet & { type: 'data' | 'fin' }): void {
    const offset = seqDiff(packet.seq, this.#rcvNxt)
    if (offset < -WINDOW_PACKETS || seqDiff(packet.seq, this.#rcvEdge) >= 0) {
      this.#terminate(
        new BleError(BleErrorCode.BLE_FRAME_INVALID, 'packet out of order beyond the window', {
          data: { seq: packet.seq, expected: this.#rcvNxt, window: WINDOW_PACKETS },
        }),
        ResetReason.FRAME_INVALID,
      )
      return
    }
    if (offset < 0 || (offset > 0 && this.#outOfOrder.has(packet.seq))) {
      this.stats.duplicatesReceived++
      this.#sendAck()
      return
    }
    if (offset > 0) {
      this.#outOfOrder.set(packet.seq, packet)
      this.#sendAck()
      return
    }
    let next: (Packet & { type: 'data' | 'fin' }) | undefined = packet
    let sawFin = false
    while (next !== undefined) {
      this.#outOfOrder.delete(next.seq)
      this.#rcvNxt = seqAdd(this.#rcvNxt, 1)
      this.#unacked++
      if (next.type === 'fin') {
        sawFin = true
        break
      }
      let frame: Uint8Array | undefined
      try {
        frame = this.#assembler.push(next)
      } catch (error) {
        this.#terminate(error as BleError, ResetReason.FRAME_INVALID)
        return
      }
      if (frame !== undefined) {
        if (this.#paused) this.#held.push(frame)
        else this.safeDispatchEvent('frame', { detail: frame })
        if (this.#state === 'closed') return // a listener closed us
      }
      next = this.#outOfOrder.get(this.#rcvNxt)
    }
    if (!this.#paused) this.#rcvEdge = seqAdd(this.#rcvNxt, WINDOW_PACKETS)
    if (sawFin) {
      if (this.#assembler.midFrame) {
        this.#terminate(
          new BleError(BleErrorCode.BLE_FRAME_INVALID, 'close in the middle of a frame'),
          ResetReason.FRAME_INVALID,
        )
        return
      }
      this.#remoteFin = true
      this.#sendAck()
      // While our own close is in flight we wait for its acknowledgement; otherwise the peer's close ends the link.
      if (!this.#finRequested) this.#finish()
      return
    }
    if (this.#unacked >= ACK_EVERY_PACKETS || this.#outOfOrder.size > 0) this.#sendAck()
    else if (this.#ackTimer === undefined)
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = undefined
        this.#sendAck()
      }, ACK_DELAY_MS)
  }

  #sendAck(): void {
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    this.#unacked = 0
    let sack = 0n
    for (const seq of this.#outOfOrder.keys()) {
      const bit = seqDiff(seq, this.#rcvNxt) - 1
      if (bit >= 0 && bit < 64) sack |= 1n << BigInt(bit)
    }
    const credit = Math.max(0, seqDiff(this.#rcvEdge, this.#rcvNxt))
    this.stats.acksSent++
    this.#radioSend(encodePacket({ type: 'ack', next: this.#rcvNxt, credit, sack }))
  }

  // ---- ending ----

  /** A clean end: our FIN was acknowledged, or the peer's FIN arrived. */
  #finish(): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    this.#clearTimers()
    this.#pending = []
    if (this.#remoteFin && !this.#finRequested && this.radioLink.open) {
      // Let the side that closed first take the radio link down. Until then we re-acknowledge its close, for as
      // long as it may retransmit it (FIN_LINGER_MS): an ACK lost here must not turn its clean close into LINK_LOST.
      this.#lingerTimer = setTimeout(() => {
        this.#lingerTimer = undefined
        this.radioLink.close()
      }, FIN_LINGER_MS)
    } else {
      this.radioLink.close()
    }
    this.#finDone?.resolve()
    this.safeDispatchEvent('close', { detail: {} })
  }

  /** Ends the link with `error`. A pending `close()` resolves if we aborted (`byCaller`), else rejects. */
  #terminate(error: Error, reset: ResetReason | undefined, byCaller = false): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    this.#closeError = error
    this.#clearTimers()
    this.#pending = []
    this.#held = []
    if (reset !== undefined && this.radioLink.open) {
      try {
        this.radioLink.send(encodePacket({ type: 'reset', reason: reset }))
      } catch {
        // the radio link is going anyway; the peer then sees it lost
      }
    }
    this.radioLink.close()
    if (this.#finDone !== undefined) {
      this.#finDone.promise.catch(() => undefined)
      if (byCaller) this.#finDone.resolve()
      else this.#finDone.reject(error)
    }
    this.safeDispatchEvent('close', { detail: { error } })
  }

  #onRadioClose(reason: RadioLinkCloseReason): void {
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer)
    this.#lingerTimer = undefined
    if (this.#state === 'closed') return
    if (this.#remoteFin && reason === 'remote') {
      // Both sides closed at once and the peer, having our close, took the radio link down first.
      this.#finish()
      return
    }
    this.#terminate(
      new BleError(
        BleErrorCode.BLE_LINK_LOST,
        `radio link to ${this.radioLink.remoteDeviceId} closed (${reason}) mid-connection`,
        {
          data: { reason, remoteDeviceId: this.radioLink.remoteDeviceId },
        },
      ),
      undefined,
    )
  }

  #clearTimers(): void {
    if (this.#rtoTimer !== undefined) clearTimeout(this.#rtoTimer)
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer)
    this.#rtoTimer = undefined
    this.#ackTimer = undefined
  }
}
