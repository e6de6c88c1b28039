import { request } from 'node:http'
import { join } from 'node:path'
import { homedir } from 'node:os'
import { Writable } from 'node:stream'
import { WeshError } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import { matchPath } from '../src/api/route.js'
import { startApiServer } from '../src/api/server.js'
import { CliErrorCode, cliError, errorBody, hintFor } from '../src/errors.js'
import { Output } from '../src/output.js'
import { Profile } from '../src/profile.js'
import { messageLine, table } from '../src/text-format.js'

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return { stream, text: () => text }
}

describe('profile location', () => {
  it('takes --profile, then $WESH_PROFILE, then $XDG_DATA_HOME/wesh, then ~/.local/share/wesh', () => {
    expect(Profile.locate('/p', { WESH_PROFILE: '/w', XDG_DATA_HOME: '/x' }).directory).toBe('/p')
    expect(Profile.locate(undefined, { WESH_PROFILE: '/w', XDG_DATA_HOME: '/x' }).directory).toBe('/w')
    expect(Profile.locate(undefined, { XDG_DATA_HOME: '/x' }).directory).toBe('/x/wesh')
    expect(Profile.locate(undefined, {}).directory).toBe(join(homedir(), '.local', 'share', 'wesh'))
  })
})

describe('API paths', () => {
  it('matches parameters and decodes them', () => {
    expect(matchPath('/v1/groups/:group/polls/:poll', '/v1/groups/my%20club/polls/ab12')).toEqual({
      group: 'my club',
      poll: 'ab12',
    })
    expect(matchPath('/v1/groups/:group', '/v1/groups/')).toBeUndefined()
    expect(matchPath('/v1/groups/:group', '/v1/groups/a/b')).toBeUndefined()
    expect(matchPath('/v1/groups/:group', '/v1/groups/%E0%A4%A')).toBeUndefined() // malformed escape
  })

  // Found by the API fuzz: `new URL` threw on this target, and the daemon answered 500 INTERNAL.
  it('answers a request target that is not a path with 400 BAD_REQUEST', async () => {
    const server = await startApiServer({ routes: [], token: 't', log: () => undefined })
    try {
      const { port } = new URL(server.url)
      const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        const sent = request({
          host: '127.0.0.1',
          port,
          path: '/\\w%%f,+Bm',
          headers: { authorization: 'Bearer t' },
        })
        sent.once('error', reject)
        sent.once('response', (response) => {
          let body = ''
          response.on('data', (chunk: Buffer) => (body += chunk.toString()))
          response.once('end', () => resolve({ status: response.statusCode, body }))
        })
        sent.end()
      })
      expect(answer.status).toBe(400)
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: CliErrorCode.BAD_REQUEST } })
    } finally {
      await server.close()
    }
  })
})

describe('errors and output', () => {
  it('prints the code, the message and a hint, or the same as JSON on stdout', () => {
    const out = sink()
    const err = sink()
    new Output(false, out.stream, err.stream).error(cliError(CliErrorCode.DAEMON_NOT_RUNNING, 'no daemon'))
    expect(err.text()).toBe(`error DAEMON_NOT_RUNNING: no daemon\nhint: ${hintFor('DAEMON_NOT_RUNNING')}\n`)
    expect(out.text()).toBe('')
    const json = sink()
    new Output(true, json.stream, err.stream).error(
      new WeshError('GROUP_UNKNOWN', 'no group', { data: { a: 1 } }),
    )
    expect(JSON.parse(json.text())).toEqual({
      error: { code: 'GROUP_UNKNOWN', message: 'no group', data: { a: 1 }, hint: hintFor('GROUP_UNKNOWN') },
    })
  })

  it('gives errors without a code the INTERNAL code, and never a stack', () => {
    expect(errorBody(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' })
    expect(errorBody('text')).toEqual({ code: 'INTERNAL', message: 'text' })
  })

  it('has a hint for every CLI code but INTERNAL', () => {
    for (const code of Object.values(CliErrorCode)) {
      if (code !== CliErrorCode.INTERNAL) expect(hintFor(code), code).toBeTypeOf('string')
    }
  })
})

describe('text format', () => {
  it('aligns table columns and names senders', () => {
    expect(
      table([
        ['ID', 'NAME'],
        ['abc', 'x'],
      ]),
    ).toEqual(['ID   NAME', 'abc  x'])
    const message = { id: 'i', group: 'g', device: 'd'.repeat(64), counter: 1, text: 'hi' }
    expect(messageLine({ ...message, sender: 'ab'.repeat(32), self: false })).toBe('abababababab: hi')
    expect(messageLine({ ...message, sender: null, self: true })).toBe('me: hi')
    expect(messageLine({ ...message, sender: null, self: false })).toBe('device dddddddddddd: hi')
  })
})
