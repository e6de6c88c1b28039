import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isWeshError } from '@wesh/crypto'
import {
  MAX_INBOUND_STREAMS,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  REPLICATION_PROTOCOL,
  REQUEST_TIMEOUT_MS,
} from '../constants.js'
import { replicationError, ReplicationErrorCode } from '../errors.js'
import {
  decodeReplicationRequest,
  decodeReplicationResponse,
  encodeReplicationRequest,
  encodeReplicationResponse,
  type ReplicationRequest,
  type ReplicationResponse,
} from '../protocol-messages.js'
import type { GroupReplicaStatus } from '../replica-status.js'
import { answerReplicationRequest, describeFailure } from './request-handler.js'
import type { ReplicationNode } from './replication-node.js'

/** The served protocol: its counters, and `stop()` to unregister it. */
export interface ReplicationProtocolServer {
  readonly stats: {
    /** Requests answered, by response code (`OK` or a ReplicationErrorCode). */
    readonly responses: Record<string, number>
    /** Streams that failed before an answer could be written (reset, timeout). */
    streamErrors: number
  }
  stop(): Promise<void>
}

/**
 * Serves `/wesh/replication/1.0.0` (PROTOCOL.md §8) on the replica's libp2p node: one length-prefixed request,
 * one length-prefixed response per stream. A frame over {@link MAX_REQUEST_BYTES} is answered with
 * `REQUEST_TOO_LARGE` without being buffered; any failure is answered with its code and the stream closed.
 */
export async function serveReplicationProtocol(
  replicas: ReplicationNode,
): Promise<ReplicationProtocolServer> {
  const { libp2p } = replicas.node
  const streams = new Set<Promise<void>>()
  const controller = new AbortController()
  const stats: ReplicationProtocolServer['stats'] = { responses: {}, streamErrors: 0 }
  const serve = async (stream: Stream): Promise<void> => {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
    let response: ReplicationResponse
    try {
      let frame
      try {
        frame = await lp.read({ signal })
      } catch (error) {
        if ((error as Error).name !== 'InvalidDataLengthError') throw error
        throw replicationError(
          ReplicationErrorCode.REQUEST_TOO_LARGE,
          `a frame over ${MAX_REQUEST_BYTES} bytes`,
          {
            data: { max: MAX_REQUEST_BYTES },
          },
        )
      }
      const status = await answerReplicationRequest(replicas, decodeReplicationRequest(frame), { signal })
      response = status === undefined ? { ok: true } : { ok: true, status }
    } catch (error) {
      if (!isWeshError(error) && signal.aborted) {
        stats.streamErrors++
        stream.abort(error instanceof Error ? error : new Error(String(error)))
        return
      }
      response = { ok: false, ...describeFailure(error) }
    }
    const code = response.ok ? 'OK' : response.code
    stats.responses[code] = (stats.responses[code] ?? 0) + 1
    try {
      await lp.write(encodeReplicationResponse(response), { signal })
      await stream.close({ signal })
    } catch (error) {
      stats.streamErrors++
      stream.abort(error instanceof Error ? error : new Error(String(error)))
    }
  }
  await libp2p.handle(
    REPLICATION_PROTOCOL,
    (stream) => {
      const served = serve(stream)
      streams.add(served)
      void served.finally(() => streams.delete(served))
    },
    { maxInboundStreams: MAX_INBOUND_STREAMS },
  )
  return {
    stats,
    async stop() {
      controller.abort()
      await libp2p.unhandle(REPLICATION_PROTOCOL)
      await Promise.allSettled(streams)
    },
  }
}

/**
 * Sends one request to the replica at `peer` over `/wesh/replication/1.0.0` and returns the group's status
 * (undefined for `remove`). A replica's refusal is thrown as a WeshError with the replica's code
 * (`UNAUTHORIZED`, `QUOTA_EXCEEDED`, …); no answer, or an invalid one, is `REPLICA_UNREACHABLE`.
 */
export async function requestReplica(
  libp2p: Pick<Libp2p, 'dialProtocol'>,
  peer: PeerId | Multiaddr | Multiaddr[],
  request: ReplicationRequest,
  options: AbortOptions = {},
): Promise<GroupReplicaStatus | undefined> {
  const frame = encodeReplicationRequest(request)
  const signal = AbortSignal.any([
    AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(options.signal ? [options.signal] : []),
  ])
  let response: ReplicationResponse
  let stream: Stream | undefined
  try {
    stream = await libp2p.dialProtocol(peer, REPLICATION_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(frame, { signal })
    response = decodeReplicationResponse(await lp.read({ signal }))
    await stream.close({ signal })
  } catch (error) {
    stream?.abort(error instanceof Error ? error : new Error(String(error)))
    if (isWeshError(error)) throw error
    throw replicationError(ReplicationErrorCode.REPLICA_UNREACHABLE, 'the replica could not be asked', {
      // The message too: a stream limit names its protocol and counts (RESILIENCE.md bug 6).
      data: {
        reason: error instanceof Error ? error.name : 'unknown',
        ...(error instanceof Error ? { detail: error.message } : {}),
      },
      cause: error,
    })
  }
  if (!response.ok) throw replicationError(response.code, `the replica refused: ${response.message}`)
  return response.status
}
