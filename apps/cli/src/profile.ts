import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { isWeshError } from '@wesh/crypto'
import { API_TOKEN_BYTES, STORE_KEY_BYTES } from './constants.js'
import { CliErrorCode, cliError } from './errors.js'

/** What `wesh init` writes next to the keys: versioned, no secrets. */
export interface ProfileConfig {
  readonly v: 1
  /** Shown to others in our contact card. */
  readonly name: string
}

/** Where a daemon's API listens, written by the daemon while it runs. */
export interface ApiEndpoint {
  readonly v: 1
  readonly url: string
  readonly pid: number
}

/**
 * A profile directory: one account on one device. Its secrets are the store key (sealing the secret store) and
 * the API token of the running daemon, both files readable by their owner only.
 */
export class Profile {
  readonly directory: string

  constructor(directory: string) {
    this.directory = resolve(directory)
  }

  /** `--profile`, else `$WESH_PROFILE`, else `$XDG_DATA_HOME/wesh`, else `~/.local/share/wesh`. */
  static locate(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Profile {
    if (option !== undefined && option !== '') return new Profile(option)
    if (env.WESH_PROFILE) return new Profile(env.WESH_PROFILE)
    const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
    return new Profile(join(data, 'wesh'))
  }

  get configPath(): string {
    return join(this.directory, 'profile.json')
  }
  get storeKeyPath(): string {
    return join(this.directory, 'store-key')
  }
  get nodeDirectory(): string {
    return join(this.directory, 'node')
  }
  get secretsDirectory(): string {
    return join(this.directory, 'secrets')
  }
  get apiPath(): string {
    return join(this.directory, 'api.json')
  }
  get tokenPath(): string {
    return join(this.directory, 'api-token')
  }

  /** Makes the directory (private) and a fresh store key; throws `PROFILE_EXISTS` if it has one already. */
  async create(config: ProfileConfig): Promise<Uint8Array> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 })
    const key = new Uint8Array(randomBytes(STORE_KEY_BYTES))
    try {
      // 'wx': never overwrite a key, or the store it seals would be lost.
      await writeFile(this.storeKeyPath, `${Buffer.from(key).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      throw cliError(CliErrorCode.PROFILE_EXISTS, `a profile already exists in ${this.directory}`, {
        data: { profile: this.directory },
      })
    }
    await writeFile(this.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
    return key
  }

  /** Undoes a `create` whose account could not be made, so that `wesh init` can be run again. */
  async discard(): Promise<void> {
    for (const path of [this.nodeDirectory, this.secretsDirectory, this.configPath, this.storeKeyPath]) {
      await rm(path, { recursive: true, force: true })
    }
  }

  async config(): Promise<ProfileConfig> {
    const text = await this.#read(this.configPath)
    const parsed = JSON.parse(text) as Partial<ProfileConfig>
    return { v: 1, name: typeof parsed.name === 'string' ? parsed.name : '' }
  }

  /** The store key; throws `PROFILE_NOT_FOUND`, or `INSECURE_PERMISSIONS` if others can read the file. */
  async storeKey(): Promise<Uint8Array> {
    const hex = (await this.#readSecret(this.storeKeyPath)).trim()
    if (!/^[0-9a-f]+$/.test(hex) || hex.length !== STORE_KEY_BYTES * 2) {
      throw cliError(CliErrorCode.PROFILE_NOT_FOUND, `${this.storeKeyPath} is not a store key`, {
        data: { profile: this.directory },
      })
    }
    return new Uint8Array(Buffer.from(hex, 'hex'))
  }

  /** A fresh random API token, hex. */
  static newApiToken(): string {
    return randomBytes(API_TOKEN_BYTES).toString('hex')
  }

  /** Writes the API token (owner-only file) and where the API listens. */
  async publishApi(url: string, token: string): Promise<void> {
    // A new file, so that it is born owner-only (an older file would keep its mode through writeFile).
    await rm(this.tokenPath, { force: true })
    await writeFile(this.tokenPath, `${token}\n`, { mode: 0o600, flag: 'wx' })
    const endpoint: ApiEndpoint = { v: 1, url, pid: process.pid }
    await writeFile(this.apiPath, `${JSON.stringify(endpoint)}\n`, { mode: 0o600 })
  }

  /**
   * Where the daemon's API listens and its token. Throws `DAEMON_NOT_RUNNING` when no daemon published one, or
   * `PROFILE_NOT_FOUND` when the directory is not a profile at all.
   */
  async api(): Promise<{ endpoint: ApiEndpoint; token: string }> {
    let endpoint: ApiEndpoint
    try {
      endpoint = JSON.parse(await readFile(this.apiPath, 'utf8')) as ApiEndpoint
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await this.#read(this.storeKeyPath) // PROFILE_NOT_FOUND before DAEMON_NOT_RUNNING
      throw this.#notRunning()
    }
    try {
      return { endpoint, token: (await this.#readSecret(this.tokenPath)).trim() }
    } catch (error) {
      if (isWeshError(error, CliErrorCode.PROFILE_NOT_FOUND)) throw this.#notRunning()
      throw error
    }
  }

  /** Removes the API files; a daemon calls this on its way out. */
  async unpublishApi(): Promise<void> {
    await rm(this.apiPath, { force: true })
    await rm(this.tokenPath, { force: true })
  }

  /** Throws `DAEMON_ALREADY_RUNNING` if the published daemon's process is alive. */
  async assertNoDaemon(): Promise<void> {
    let endpoint: ApiEndpoint
    try {
      endpoint = JSON.parse(await readFile(this.apiPath, 'utf8')) as ApiEndpoint
    } catch {
      return
    }
    if (endpoint.pid !== process.pid && isAlive(endpoint.pid)) {
      throw cliError(
        CliErrorCode.DAEMON_ALREADY_RUNNING,
        `a daemon (pid ${endpoint.pid}) runs on this profile`,
        {
          data: { pid: endpoint.pid },
        },
      )
    }
  }

  #notRunning() {
    return cliError(CliErrorCode.DAEMON_NOT_RUNNING, `no wesh daemon is running on ${this.directory}`, {
      data: { profile: this.directory },
    })
  }

  async #read(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      throw cliError(CliErrorCode.PROFILE_NOT_FOUND, `no wesh profile in ${this.directory}`, {
        data: { profile: this.directory },
      })
    }
  }

  async #readSecret(path: string): Promise<string> {
    const text = await this.#read(path)
    const { mode } = await stat(path)
    if ((mode & 0o077) !== 0) {
      throw cliError(CliErrorCode.INSECURE_PERMISSIONS, `${path} can be read by other users`, {
        data: { path, mode: `0${(mode & 0o777).toString(8)}` },
      })
    }
    return text
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
