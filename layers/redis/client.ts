/**
 * `RedisClient`: one ioredis connection plus the key prefix of the app, shared by the token cache and the
 * event de-duplication store.
 *
 * The connection is set up to fail fast: no offline queue (a command sent while disconnected fails at once),
 * no re-sending of in-flight commands after a disconnect, and a command timeout. So a Redis outage becomes a
 * typed error of the call that needed Redis within `commandTimeout`, never a call that hangs or a command
 * applied twice; ioredis keeps reconnecting in the background and calls work again once Redis is back.
 */
import { Redis, type RedisOptions } from "ioredis"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  currentForker,
  decodeDuration,
  type DurationInput,
  redactedVariable,
  scopedLayer,
  Service as ServiceKey,
  stringVariable,
  type VariableError
} from "../../src/internal/dialect.js"
import { defineScripts, type LarkRedis } from "./scripts.js"

export interface Service {
  /** The connection, with the lark-effect scripts defined on it. */
  readonly client: LarkRedis
  /** Prepended to every key, e.g. `lark:cli_xxx:`; one per app when apps share a Redis. */
  readonly prefix: string
}

export class RedisClient extends ServiceKey<RedisClient, Service>()("lark-effect/RedisClient") {}

/** Redis could not be reached when the layer was built, or its URL is not one. The detail never holds the password. */
export class RedisConnectError extends Schema.TaggedError<RedisConnectError>()("RedisConnectError", {
  detail: Schema.String
}) {
  override get message() {
    return `could not connect to Redis: ${this.detail}`
  }
}

export interface Options {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`. Default `redis://127.0.0.1:6379`. */
  readonly url?: Redacted.Redacted<string> | string | undefined
  /** Default `"lark:"`. */
  readonly prefix?: string | undefined
  /** A command that gets no answer within this fails. Default 2 seconds. */
  readonly commandTimeout?: DurationInput | undefined
  /** Giving up on one connection attempt. Default 5 seconds. */
  readonly connectTimeout?: DurationInput | undefined
  /** Any other ioredis option; the fail-fast settings above win. */
  readonly redisOptions?: RedisOptions | undefined
}

export const DEFAULT_URL = "redis://127.0.0.1:6379"

/** The URL to connect to: `url` unwrapped, or {@link DEFAULT_URL}. */
export const urlOf = (url: Redacted.Redacted<string> | string | undefined): string =>
  url === undefined ? DEFAULT_URL : Redacted.isRedacted(url) ? Redacted.value(url) : url

export const DEFAULT_PREFIX = "lark:"

/** Retry forever, 100 ms more per attempt, at most 2 s apart. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 2000)

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** A Redis URL that ioredis can be given, with the database its path names and its password (to mask it). */
export interface RedisUrl {
  readonly url: string
  readonly db: number
  readonly password: string
}

const parseWhatwgUrl = Option.liftThrowable((url: string) => new URL(url))
const decodeComponent = Option.liftThrowable(decodeURIComponent)

/**
 * Checks a Redis URL before ioredis sees it. ioredis throws a TypeError holding the whole URL (the password
 * with it) for a port that is not a number, and selects a database path that is not a number in a promise
 * nobody awaits: the unhandled rejection ends the process. So: `redis:` or `rediss:`, a valid URL, and a
 * path that is `/` or `/<digits>`.
 */
export const parseUrl = (url: string): Effect.Effect<RedisUrl, RedisConnectError> => {
  const invalid = (why: string) => Effect.fail(new RedisConnectError({ detail: `the Redis URL ${why}` }))
  const parsed = parseWhatwgUrl(url)
  if (Option.isNone(parsed)) return invalid("is not a valid URL (redis://[user:password@]host:port[/db])")
  const { password, pathname, protocol, username } = parsed.value
  if (protocol !== "redis:" && protocol !== "rediss:") return invalid("must start with redis:// or rediss://")
  const db = /^\/?(0|[1-9]\d*)?$/.exec(pathname)
  if (db === null) return invalid("path must be a database number, e.g. /0")
  // ioredis decodes both and throws on a malformed escape
  const decoded = decodeComponent(password)
  if (Option.isNone(decoded) || Option.isNone(decodeComponent(username))) return invalid("has a malformed %-escape in its user or password")
  return Effect.succeed({ url, db: Number(db[1] ?? 0), password: decoded.value })
}

/** `detail` with the password masked, should a server or a socket ever echo it. */
const withoutPassword = (detail: string, password: string) => password === "" ? detail : detail.replaceAll(password, "***")

/**
 * The message of the client's latest "error" event: why a connection attempt failed (wrong or missing
 * password, unknown host, refused), where the rejection of `connect` only says "Connection is closed.".
 */
const lastErrorOf = (client: Redis) => {
  let last: string | undefined
  client.on("error", (error: unknown) => void (last = describe(error)))
  return () => last
}

/**
 * Connects `client`, then selects `db` (ioredis selects it in the background and goes on in database 0 when
 * that fails, e.g. a number past the server's `databases`). On failure the client is disconnected.
 */
const connect = (client: Redis, target: RedisUrl) => {
  const lastError = lastErrorOf(client)
  const failed = (detail: string) => {
    client.disconnect()
    return new RedisConnectError({ detail: withoutPassword(detail, target.password) })
  }
  return Effect.andThen(
    Effect.tryPromise({ try: () => client.connect(), catch: (cause) => failed(lastError() ?? describe(cause)) }),
    target.db === 0 ? Effect.void : Effect.tryPromise({
      try: () => client.select(target.db),
      catch: (cause) => failed(`database ${target.db} cannot be selected: ${describe(cause)}`)
    })
  )
}

/** Logs a lost connection and its recovery once each (ioredis emits an error per reconnect attempt). */
export const watchConnection = (client: Redis, log: (effect: Effect.Effect<void>) => void) => {
  let lost = false
  client.on("error", (error: unknown) => {
    if (lost) return
    lost = true
    log(Effect.logWarning(`lark-effect Redis connection lost: ${describe(error)}; calls that need Redis fail until it is back`))
  })
  client.on("ready", () => {
    if (!lost) return
    lost = false
    log(Effect.logInfo("lark-effect Redis connection is back"))
  })
}

/** A connected client; closed when the scope closes. */
export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const target = yield* parseUrl(urlOf(options.url))
    const client = new Redis(target.url, {
      ...options.redisOptions,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Duration.toMillis(decodeDuration(options.commandTimeout ?? "2 seconds")),
      connectTimeout: Duration.toMillis(decodeDuration(options.connectTimeout ?? "5 seconds")),
      retryStrategy: reconnectDelay
    })
    yield* Effect.acquireRelease(connect(client, target), () => Effect.promise(() => client.quit().catch(() => client.disconnect())))
    // from here on: a failure to connect before is the layer's error, not a lost connection
    watchConnection(client, yield* currentForker)
    return { client: defineScripts(client), prefix: options.prefix ?? DEFAULT_PREFIX } satisfies Service
  })

/** A client from options given in code. */
export const layer = (options: Options = {}): Layer.Layer<RedisClient, RedisConnectError> =>
  scopedLayer(RedisClient, make(options))

/**
 * A client from the environment: `REDIS_URL` (default `redis://127.0.0.1:6379`) and `LARK_REDIS_PREFIX`
 * (default `lark:<LARK_APP_ID>:`, or `lark:` without an app id).
 */
export const layerConfig = (
  options: Omit<Options, "url" | "prefix"> = {}
): Layer.Layer<RedisClient, RedisConnectError | VariableError> =>
  scopedLayer(
    RedisClient,
    Effect.flatMap(
      Config.all({
        url: Config.withDefault(redactedVariable("REDIS_URL"), Redacted.make(DEFAULT_URL)),
        prefix: Config.option(stringVariable("LARK_REDIS_PREFIX")),
        appId: Config.option(stringVariable("LARK_APP_ID"))
      }),
      ({ appId, prefix, url }) =>
        make({
          ...options,
          url,
          prefix: prefix._tag === "Some" ? prefix.value : appId._tag === "Some" ? `${DEFAULT_PREFIX}${appId.value}:` : DEFAULT_PREFIX
        })
    )
  )

/**
 * An ioredis client the caller made and keeps (it is not closed with the layer). Set it up to fail fast
 * (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`, a `commandTimeout`) or a Redis outage makes calls
 * wait instead of failing.
 */
export const layerFromClient = (client: Redis, prefix: string = DEFAULT_PREFIX): Layer.Layer<RedisClient> =>
  Layer.sync(RedisClient, () => ({ client: defineScripts(client), prefix }))

/** Runs one command; a rejection becomes the caller's typed error. */
export const command = <A, E>(run: () => Promise<A>, onError: (detail: string, cause: unknown) => E): Effect.Effect<A, E> =>
  Effect.tryPromise({ try: run, catch: (cause) => onError(describe(cause), cause) })

/**
 * Runs `run`, a command that stores `nonce` under `key` (a claim or a lock), as {@link command} does. When it
 * fails or is interrupted, Redis may have applied it all the same, or apply it later (a command timed out
 * while Redis was slow): the key would then hold a nonce nobody renews or releases, blocking the others
 * until it expires. So a delete of `key` while it holds `nonce` follows; sent on the same connection, it
 * runs after the late command. Best effort and not awaited: the caller has waited long enough, and a key
 * left behind still expires.
 */
export const claimCommand = <A, E>(
  client: LarkRedis,
  key: string,
  nonce: string,
  run: () => Promise<A>,
  onError: (detail: string, cause: unknown) => E
): Effect.Effect<A, E> =>
  Effect.onExit(command(run, onError), (exit) =>
    Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => void client.larkDeleteIfEqual(key, nonce).catch(() => {})))
