/**
 * App and tenant access tokens: fetched on demand, cached per (app, kind, tenant), refreshed ahead of expiry,
 * and fetched once however many callers ask at the same moment.
 *
 * Self-built apps trade their secret (or a client assertion) for tokens; marketplace apps first need the
 * app_ticket the platform pushes as an event (`setAppTicket`), and a tenant key per call.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { LarkConfig, type Service as LarkConfigService } from "./LarkConfig.js"
import { LarkApiError, type LarkError, LarkTokenError } from "./LarkError.js"
import type { Operation } from "./Operation.js"
import { currentTimeMillis, ignoreLogged, type SchemaOf } from "./internal/dialect.js"
import { postJson } from "./internal/send.js"
import type { CachedToken, TokenCacheError } from "./TokenCache.js"

export type CachedTokenKind = "tenant" | "app"

/** Codes with which the platform rejects a token it no longer accepts: evict it and ask again. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991663, 99991664, 99991671])

/** The platform does not accept the app_ticket: ask for a new one. */
export const APP_TICKET_INVALID = 10012

const APP_TICKET_LIFETIME = Duration.hours(12)

export const cacheKey = (config: LarkConfigService, kind: CachedTokenKind | "app_ticket", tenantKey = "") =>
  `${config.appId}:${kind}:${tenantKey}`

const IssuedTenantToken = Schema.Struct({ tenant_access_token: Schema.String, expire: Schema.Number })
const IssuedAppToken = Schema.Struct({ app_access_token: Schema.String, expire: Schema.Number })
const IssuedOAuthToken = Schema.Struct({ access_token: Schema.String, expires_in: Schema.Number })

interface Issued {
  readonly token: Redacted.Redacted<string>
  readonly lifetime: Duration.Duration
}

const tokenOperation = <A>(id: string, path: string, response: SchemaOf<A>): Operation<{}, A> => ({
  id,
  method: "POST",
  path,
  tokens: [],
  result: "flat",
  response,
  idempotent: true, // issuing a token twice does no harm
  secretAnswer: true
})

const selfTenantToken = tokenOperation("auth.v3.tenantAccessToken.internal", "/open-apis/auth/v3/tenant_access_token/internal", IssuedTenantToken)
const selfAppToken = tokenOperation("auth.v3.appAccessToken.internal", "/open-apis/auth/v3/app_access_token/internal", IssuedAppToken)
const marketplaceAppToken = tokenOperation("auth.v3.appAccessToken.create", "/open-apis/auth/v3/app_access_token", IssuedAppToken)
const marketplaceTenantToken = tokenOperation("auth.v3.tenantAccessToken.create", "/open-apis/auth/v3/tenant_access_token", IssuedTenantToken)
const oauthToken = tokenOperation("oauth.v3.token.clientAssertion", "/oauth/v3/token", IssuedOAuthToken)
const appTicketResend = tokenOperation("auth.v3.appTicket.resend", "/open-apis/auth/v3/app_ticket/resend", Schema.Unknown)

const post = <A>(
  config: LarkConfigService,
  operation: Operation<{}, A>,
  body: Record<string, string>,
  base = config.domain.open
) => postJson(operation, base, config.userAgent, body, config)

/**
 * The platform refused to issue the token: a `LarkTokenError` with its code. An answer that did not decode
 * becomes one too, without its body (it may hold a token). Transport failures stay as they are.
 */
export const refused = (kind: "tenant" | "app" | "user") => (error: LarkError): LarkError =>
  error instanceof LarkApiError
    ? new LarkTokenError({ kind, code: error.code, detail: `${error.msg}${error.logId ? ` (log id ${error.logId})` : ""}` })
    : error._tag === "LarkDecodeError"
    ? new LarkTokenError({ kind, detail: `the answer did not decode (HTTP ${error.httpStatus})` })
    : error

const secretOf = (config: LarkConfigService, kind: CachedTokenKind) =>
  Option.match(config.appSecret, {
    onNone: () => Effect.fail(new LarkTokenError({ kind, detail: "this kind of token needs the app secret" })),
    onSome: (secret) => Effect.succeed(Redacted.value(secret))
  })

const issued = (token: string, expireSeconds: number): Issued => ({
  token: Redacted.make(token),
  lifetime: Duration.seconds(expireSeconds)
})

const fetchSelfBuiltTenantToken = (config: LarkConfigService) =>
  Option.match(config.clientAssertion, {
    onSome: (sign) =>
      Effect.gen(function*() {
        const audience = new URL(config.domain.accounts).host
        const assertion = yield* Effect.mapError(sign(audience), (cause) =>
          new LarkTokenError({ kind: "tenant", detail: `the client assertion signer failed: ${describe(cause)}` }))
        const answer = yield* post(config, oauthToken, {
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: Redacted.value(assertion),
          client_id: config.appId
        }, config.domain.accounts)
        return issued(answer.access_token, answer.expires_in)
      }),
    onNone: () =>
      Effect.gen(function*() {
        const answer = yield* post(config, selfTenantToken, { app_id: config.appId, app_secret: yield* secretOf(config, "tenant") })
        return issued(answer.tenant_access_token, answer.expire)
      })
  })

const fetchAppToken = (config: LarkConfigService) =>
  Effect.gen(function*() {
    const appSecret = yield* secretOf(config, "app")
    if (config.appType === "self_built") {
      const answer = yield* post(config, selfAppToken, { app_id: config.appId, app_secret: appSecret })
      return issued(answer.app_access_token, answer.expire)
    }
    const ticket = yield* Effect.mapError(config.tokenCache.get(cacheKey(config, "app_ticket")), cacheFailed("app"))
    if (Option.isNone(ticket)) {
      yield* resend(config).pipe(ignoreLogged)
      return yield* new LarkTokenError({
        kind: "app",
        detail: "no app_ticket received yet; asked the platform to push one (feed it to setAppTicket)"
      })
    }
    const answer = yield* post(config, marketplaceAppToken, {
      app_id: config.appId,
      app_secret: appSecret,
      app_ticket: Redacted.value(ticket.value.token)
    }).pipe(
      Effect.tapError((error) =>
        error instanceof LarkApiError && error.code === APP_TICKET_INVALID
          // only the ticket sent: a newer one pushed meanwhile (to any replica) stays
          ? config.tokenCache.remove(cacheKey(config, "app_ticket"), ticket.value.token).pipe(
            Effect.mapError(cacheFailed("app")),
            Effect.andThen(resend(config).pipe(ignoreLogged))
          )
          : Effect.void
      )
    )
    return issued(answer.app_access_token, answer.expire)
  })

const fetchMarketplaceTenantToken = (config: LarkConfigService, tenantKey: string) =>
  Effect.gen(function*() {
    const appToken = yield* cached(config, "app", "", () => fetchAppToken(config))
    const answer = yield* post(config, marketplaceTenantToken, {
      app_access_token: Redacted.value(appToken),
      tenant_key: tenantKey
    })
    return issued(answer.tenant_access_token, answer.expire)
  })

/**
 * The cached token until it is due for refresh ({@link usedFor}), else one fetched once for all concurrent
 * callers: once per process (single flight), and once per fleet when the cache is shared and offers a lock
 * (the process that wins the lock fetches; the others poll the cache until the token appears or the lock is
 * free).
 * This is on the path of every API call: a cache that can be read at once (`peek`, the in-memory one) is read
 * so, and the rest is only built on a miss.
 */
const cached = (
  config: LarkConfigService,
  kind: CachedTokenKind,
  tenantKey: string,
  fetch: () => Effect.Effect<Issued, LarkError, HttpClient.HttpClient>
): Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient> => {
  const key = cacheKey(config, kind, tenantKey)
  const peek = config.tokenCache.peek
  if (peek === undefined) return lookUp(config, kind, key, fetch)
  return Effect.clockWith((clock) => {
    const now = currentTimeMillis(clock)
    const entry = peek(key, now)
    return entry !== undefined && inUse(entry, config, now) ? Effect.succeed(entry.token) : lookUp(config, kind, key, fetch)
  })
}

/** Whether `entry` is the token to use at `now`: not yet due for refresh. */
const inUse = (entry: CachedToken, config: LarkConfigService, now: number): boolean =>
  (entry.refreshAt ?? entry.expiresAt - Duration.toMillis(config.refreshAhead)) > now

/** The token of `key` read through the cache's `get`, fetched on a miss. */
const lookUp = (
  config: LarkConfigService,
  kind: CachedTokenKind,
  key: string,
  fetch: () => Effect.Effect<Issued, LarkError, HttpClient.HttpClient>
): Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient> => {
  const fresh = Effect.clockWith((clock) =>
    Effect.matchEffect(config.tokenCache.get(key), {
      onFailure: (error) => Effect.fail(cacheFailedAs[kind](error)),
      onSuccess: (entry) =>
        Effect.succeed(Option.isSome(entry) && inUse(entry.value, config, currentTimeMillis(clock)) ? entry : Option.none())
    })
  )
  return Effect.flatMap(fresh, (entry) =>
    Option.isSome(entry) ? Effect.succeed(entry.value.token) : config.tokenFetches.run(key, elect(config, kind, key, fresh, fetch)))
}

/**
 * How long (ms) a token that lives `lifetime` ms is used before a new one is fetched: until `refreshAhead`
 * before it expires, or for half its life when that is longer (a token that lives no longer than
 * `refreshAhead` would else be fetched again for every call).
 */
const usedFor = (lifetime: number, refreshAhead: Duration.Duration) =>
  Math.max(lifetime - Duration.toMillis(refreshAhead), lifetime / 2)

/** The fetch of a missing token, checked against the cache again first; built only on a miss. */
const elect = (
  config: LarkConfigService,
  kind: CachedTokenKind,
  key: string,
  fresh: Effect.Effect<Option.Option<CachedToken>, LarkError>,
  fetch: () => Effect.Effect<Issued, LarkError, HttpClient.HttpClient>
): Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient> => {
  const cache = config.tokenCache
  const fetchAndStore = Effect.gen(function*() {
    const token = yield* Effect.mapError(fetch(), refused(kind))
    const now = yield* Clock.currentTimeMillis
    const lifetime = Duration.toMillis(token.lifetime)
    yield* Effect.mapError(
      cache.set(key, { token: token.token, expiresAt: now + lifetime, refreshAt: now + usedFor(lifetime, config.refreshAhead) }),
      cacheFailed(kind)
    )
    return token.token
  })
  // Checks first: another caller (or replica) may have stored the token meanwhile.
  const orElse = (miss: Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient>) =>
    Effect.flatMap(fresh, (entry) => Option.isSome(entry) ? Effect.succeed(entry.value.token) : miss)
  const tryLock = cache.tryLock
  const elected: Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient> = tryLock === undefined
    ? orElse(fetchAndStore)
    : orElse(Effect.flatMap(Effect.mapError(tryLock(key), cacheFailed(kind)), (lock) =>
      Option.match(lock, {
        onSome: (release) => Effect.ensuring(orElse(fetchAndStore), release),
        onNone: () => Effect.andThen(Effect.sleep(ELECTION_POLL), Effect.suspend(() => elected))
      })))
  return elected
}

/** The cached token of `kind` for `config` (the executor has the config at hand already). */
export const tokenOf = (
  config: LarkConfigService,
  kind: CachedTokenKind,
  tenantKey: string | undefined
): Effect.Effect<Redacted.Redacted<string>, LarkError, HttpClient.HttpClient> => {
  if (kind === "app") return cached(config, "app", "", () => fetchAppToken(config))
  if (config.appType === "self_built") return cached(config, "tenant", "", () => fetchSelfBuiltTenantToken(config))
  if (tenantKey === undefined || tenantKey === "") {
    return Effect.fail(new LarkTokenError({ kind: "tenant", detail: "marketplace apps need a tenantKey for each call" }))
  }
  return cached(config, "tenant", tenantKey, () => fetchMarketplaceTenantToken(config, tenantKey))
}

/** The tenant access token, cached. Marketplace apps must name the tenant. */
export const tenantAccessToken = (
  tenantKey?: string
): Effect.Effect<Redacted.Redacted<string>, LarkError, LarkConfig | HttpClient.HttpClient> =>
  Effect.flatMap(LarkConfig, (config) => tokenOf(config, "tenant", tenantKey))

/** The app access token, cached. */
export const appAccessToken: Effect.Effect<Redacted.Redacted<string>, LarkError, LarkConfig | HttpClient.HttpClient> =
  Effect.flatMap(LarkConfig, (config) => tokenOf(config, "app", undefined))

/**
 * Drops a cached token, e.g. after the platform rejected it. Pass the `rejected` token to drop the entry only
 * while it still holds that token: of many calls (in many replicas) rejected with one stale token, the first
 * evicts it and the others keep the fresh one fetched meanwhile. `tenantKey` names the tenant of a marketplace
 * app's tenant token; the app token is one for all tenants, as {@link tokenOf} caches it.
 */
export const invalidate = (
  kind: CachedTokenKind,
  tenantKey?: string,
  rejected?: Redacted.Redacted<string>
): Effect.Effect<void, LarkTokenError, LarkConfig> =>
  Effect.flatMap(LarkConfig, (config) =>
    config.tokenCache.remove(cacheKey(config, kind, kind === "tenant" && config.appType === "marketplace" ? tenantKey ?? "" : ""), rejected)
      .pipe(Effect.mapError(cacheFailed(kind))))

/** Stores the app_ticket that the platform pushed (the `app_ticket` event) for marketplace apps. */
export const setAppTicket = (ticket: string): Effect.Effect<void, LarkTokenError, LarkConfig> =>
  Effect.flatMap(LarkConfig, (config) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      config.tokenCache.set(cacheKey(config, "app_ticket"), {
        token: Redacted.make(ticket),
        expiresAt: now + Duration.toMillis(APP_TICKET_LIFETIME)
      }).pipe(Effect.mapError(cacheFailed("app")))))

/** Asks the platform to push the app_ticket event again (it arrives asynchronously). */
export const resendAppTicket: Effect.Effect<void, LarkError, LarkConfig | HttpClient.HttpClient> = Effect.flatMap(
  LarkConfig,
  (config) => resend(config)
)

const resend = (config: LarkConfigService) =>
  Effect.flatMap(secretOf(config, "app"), (appSecret) =>
    Effect.asVoid(post(config, appTicketResend, { app_id: config.appId, app_secret: appSecret })))

/** A failure of the token cache, as the `LarkTokenError` of the call that needed the cache. */
const cacheFailed = (kind: "tenant" | "app") => (error: TokenCacheError) => new LarkTokenError({ kind, detail: error.message })

const cacheFailedAs = { tenant: cacheFailed("tenant"), app: cacheFailed("app") }

/** How often a process that lost the fleet-wide fetch election looks for the token the winner stores. */
const ELECTION_POLL = Duration.millis(50)

const describe = (cause: unknown) => cause instanceof Error ? cause.message : String(cause)
