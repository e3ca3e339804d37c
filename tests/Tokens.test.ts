import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer, Option, Redacted } from "effect"
import * as TestClock from "effect/TestClock"
import * as oidcAccessToken from "../src/api/authen/v1/oidcAccessToken.js"
import * as LarkConfig from "../src/LarkConfig.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import * as TokenCache from "../src/TokenCache.js"
import * as Tokens from "../src/Tokens.js"
import * as UserAccessToken from "../src/UserAccessToken.js"
import { message } from "./fixtures/operations.js"

const requests = Effect.flatten(Effect.map(MockHttp.MockHttp, (mock) => mock.requests))
const bodiesTo = (path: string) =>
  Effect.map(requests, (all) => all.filter((r) => r.path === path).map((r) => r.body._tag === "Json" ? r.body.value : r.body))

const hello = (tenantKey?: string) =>
  message.create(
    { params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } },
    { tenantKey }
  )

/** App tokens a-1, a-2, ...; the OIDC exchange refuses a-1, as after the app secret was rotated. */
const appTokenRotation = () => {
  let issued = 0
  return [
    MockHttp.route("POST", "/open-apis/auth/v3/app_access_token", () => ({
      body: { code: 0, msg: "ok", app_access_token: `a-${++issued}`, expire: 7200 }
    })),
    MockHttp.route("POST", "/open-apis/authen/v1/oidc/access_token", (request) =>
      request.headers.authorization === "Bearer a-1"
        ? { body: { code: 99991664, msg: "app access token invalid" } }
        : MockHttp.ok({ access_token: "u-1", token_type: "Bearer", expires_in: 7200 }))
  ]
}

const marketplace = (routes: ReadonlyArray<MockHttp.Route>) =>
  Layer.merge(
    LarkConfig.layer({ appId: "cli_isv", appSecret: Redacted.make("isv-secret"), appType: "marketplace" }),
    MockHttp.layer(routes, { tokens: false })
  )

const isvRoutes = [
  MockHttp.route("POST", "/open-apis/auth/v3/app_ticket/resend", () => MockHttp.ok(undefined)),
  MockHttp.route("POST", "/open-apis/auth/v3/app_access_token", (request) =>
    (request.body as { value: { app_ticket: string } }).value.app_ticket === "ticket-1"
      ? { body: { code: 0, msg: "ok", app_access_token: "a-isv", expire: 7200 } }
      : { body: { code: 10012, msg: "app_ticket invalid" } }),
  MockHttp.route("POST", "/open-apis/auth/v3/tenant_access_token", (request) => ({
    body: { code: 0, msg: "ok", tenant_access_token: `t-${(request.body as { value: { tenant_key: string } }).value.tenant_key}`, expire: 7200 }
  })),
  MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({ message_id: "om_1" }))
]

describe("marketplace apps", () => {
  it.effect("without an app_ticket: asks the platform to resend it and fails with LarkTokenError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(hello("tenant-a"))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.include(error.message, "app_ticket")
      assert.deepStrictEqual(yield* bodiesTo("/open-apis/auth/v3/app_ticket/resend"), [{ app_id: "cli_isv", app_secret: "isv-secret" }])
      assert.lengthOf(yield* bodiesTo("/open-apis/im/v1/messages"), 0)
    }).pipe(Effect.provide(marketplace(isvRoutes))))

  it.effect("with the ticket: app token, then one tenant token per tenant key, each cached", () =>
    Effect.gen(function*() {
      yield* Tokens.setAppTicket("ticket-1")
      yield* hello("tenant-a")
      yield* hello("tenant-b")
      yield* hello("tenant-a")
      assert.deepStrictEqual(yield* bodiesTo("/open-apis/auth/v3/app_access_token"), [
        { app_id: "cli_isv", app_secret: "isv-secret", app_ticket: "ticket-1" }
      ])
      assert.deepStrictEqual(yield* bodiesTo("/open-apis/auth/v3/tenant_access_token"), [
        { app_access_token: "a-isv", tenant_key: "tenant-a" },
        { app_access_token: "a-isv", tenant_key: "tenant-b" }
      ])
      const sent = (yield* requests).filter((r) => r.path === "/open-apis/im/v1/messages")
      assert.deepStrictEqual(sent.map((r) => r.headers.authorization), ["Bearer t-tenant-a", "Bearer t-tenant-b", "Bearer t-tenant-a"])
    }).pipe(Effect.provide(marketplace(isvRoutes))))

  it.effect("a call without a tenant key fails before anything is sent", () =>
    Effect.gen(function*() {
      yield* Tokens.setAppTicket("ticket-1")
      const error = yield* Effect.flip(hello())
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.include(error.message, "tenantKey")
      assert.lengthOf(yield* requests, 0)
    }).pipe(Effect.provide(marketplace(isvRoutes))))

  it.effect("a rejected ticket (10012) is dropped and a resend asked for", () =>
    Effect.gen(function*() {
      yield* Tokens.setAppTicket("stale-ticket")
      const error = yield* Effect.flip(hello("tenant-a"))
      assert.strictEqual(error._tag === "LarkTokenError" && error.code, 10012)
      assert.lengthOf(yield* bodiesTo("/open-apis/auth/v3/app_ticket/resend"), 1)
      yield* Effect.flip(hello("tenant-a")) // the stale ticket is gone: no second app-token request with it
      assert.lengthOf(yield* bodiesTo("/open-apis/auth/v3/app_access_token"), 1)
    }).pipe(Effect.provide(marketplace(isvRoutes))))

  it.live("a rejected ticket is dropped only while the cache holds it: one pushed meanwhile stays", () =>
    Effect.gen(function*() {
      yield* Tokens.setAppTicket("stale-ticket")
      const [rejected] = yield* Effect.all([
        Effect.flip(Tokens.appAccessToken),
        Effect.delay(Tokens.setAppTicket("ticket-1"), "20 millis") // pushed while the stale one is on the wire
      ], { concurrency: "unbounded" })
      assert.strictEqual(rejected._tag === "LarkTokenError" && rejected.code, 10012)
      assert.strictEqual(Redacted.value(yield* Tokens.appAccessToken), "a-isv")
    }).pipe(Effect.provide(marketplace([
      isvRoutes[0]!,
      MockHttp.route("POST", "/open-apis/auth/v3/app_access_token", (request) =>
        (request.body as { value: { app_ticket: string } }).value.app_ticket === "ticket-1"
          ? { body: { code: 0, msg: "ok", app_access_token: "a-isv", expire: 7200 } }
          : Effect.as(Effect.sleep("60 millis"), { body: { code: 10012, msg: "app_ticket invalid" } }))
    ]))))

  it.effect("an app token the platform rejects is evicted and fetched again, whatever tenant the call names", () =>
    Effect.gen(function*() {
      yield* Tokens.setAppTicket("ticket-1")
      const answer = yield* oidcAccessToken.create({ data: { grant_type: "authorization_code", code: "code-1" } }, { tenantKey: "tenant-a" })
      assert.strictEqual(answer.access_token, "u-1")
      const sent = (yield* requests).filter((r) => r.path === "/open-apis/authen/v1/oidc/access_token")
      assert.deepStrictEqual(sent.map((r) => r.headers.authorization), ["Bearer a-1", "Bearer a-2"])
    }).pipe(Effect.provide(marketplace(appTokenRotation()))))
})

describe("self-built apps", () => {
  it.effect("credentials the platform refuses give LarkTokenError with its code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(hello())
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.strictEqual(error._tag === "LarkTokenError" && error.code, 10014)
    }).pipe(Effect.provide(Layer.merge(
      LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("wrong") }),
      MockHttp.layer([MockHttp.route("POST", "/open-apis/auth/v3/tenant_access_token/internal", () => ({ body: { code: 10014, msg: "app secret invalid" } }))], { tokens: false })
    ))))

  it.effect("keyless mode: the tenant token comes from a client assertion at the OAuth v3 endpoint", () =>
    Effect.gen(function*() {
      const audiences: Array<string> = []
      yield* Effect.provide(
        hello(),
        LarkConfig.layer({
          appId: "cli_keyless",
          domain: "https://open.larksuite.com",
          clientAssertion: (audience) => Effect.sync(() => (audiences.push(audience), Redacted.make("signed.jwt.value")))
        })
      )
      assert.deepStrictEqual(audiences, ["accounts.larksuite.com"])
      const all = yield* requests
      const exchange = all.find((r) => r.path === "/oauth/v3/token")!
      assert.strictEqual(exchange.url.origin, "https://accounts.larksuite.com")
      assert.deepStrictEqual(exchange.body, {
        _tag: "Json",
        value: {
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: "signed.jwt.value",
          client_id: "cli_keyless"
        }
      })
      assert.strictEqual(all.find((r) => r.path === "/open-apis/im/v1/messages")!.headers.authorization, "Bearer t-keyless")
    }).pipe(Effect.provide(MockHttp.layer([
      MockHttp.route("POST", "/oauth/v3/token", () => ({ body: { access_token: "t-keyless", expires_in: 7200, token_type: "Bearer" } })),
      MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({}))
    ], { tokens: false }))))
})

describe("short-lived tokens", () => {
  const tenantTokens = Effect.map(bodiesTo("/open-apis/auth/v3/tenant_access_token/internal"), (bodies) => bodies.length)
  const concurrently = Effect.all(Array.from({ length: 20 }, () => Tokens.tenantAccessToken()), { concurrency: "unbounded" })
  const oneAfterAnother = Effect.all(Array.from({ length: 20 }, () => Tokens.tenantAccessToken()))
  const values = (tokens: ReadonlyArray<Redacted.Redacted<string>>) => [...new Set(tokens.map(Redacted.value))]

  it.effect("a token that lives no longer than refreshAhead is used for half its life, fetched once however it is asked for", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(values(yield* concurrently), ["t-mock-1"])
      assert.deepStrictEqual(values(yield* oneAfterAnother), ["t-mock-1"])
      assert.strictEqual(yield* tenantTokens, 1)
      yield* TestClock.adjust("29 seconds") // of a 60-second life: still in its first half
      assert.deepStrictEqual(values(yield* oneAfterAnother), ["t-mock-1"])
      assert.deepStrictEqual(values(yield* concurrently), ["t-mock-1"])
      assert.strictEqual(yield* tenantTokens, 1)
      yield* TestClock.adjust("2 seconds") // past half: one new fetch, for all 20 callers
      assert.deepStrictEqual(values(yield* concurrently), ["t-mock-2"])
      assert.deepStrictEqual(values(yield* oneAfterAnother), ["t-mock-2"])
      assert.strictEqual(yield* tenantTokens, 2)
    }).pipe(Effect.provide(Layer.merge(
      LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret"), refreshAhead: "3 minutes" }),
      MockHttp.layer(MockHttp.tokenRoutes(60), { tokens: false })
    ))))

  it.effect("a token that lives less than twice refreshAhead is used for half its life too", () =>
    Effect.gen(function*() {
      yield* Tokens.tenantAccessToken()
      yield* TestClock.adjust("119 seconds") // of 240 s: `refreshAhead` alone would have fetched again at 60 s
      assert.deepStrictEqual(values(yield* oneAfterAnother), ["t-mock-1"])
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(values(yield* oneAfterAnother), ["t-mock-2"])
      assert.strictEqual(yield* tenantTokens, 2)
    }).pipe(Effect.provide(Layer.merge(
      LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret"), refreshAhead: "3 minutes" }),
      MockHttp.layer(MockHttp.tokenRoutes(240), { tokens: false })
    ))))
})

describe("a token cache read at once (peek)", () => {
  const memory = TokenCache.makeMemory()
  const entry = (expiresAt: number): TokenCache.CachedToken => ({ token: Redacted.make(`at-${expiresAt}`), expiresAt })
  const peeked = (cache: TokenCache.TokenCache, key: string, now: number) => Redacted.value(cache.peek!(key, now)?.token ?? Redacted.make("none"))

  it.effect("the in-memory cache's peek answers what its get answers, expiry included", () =>
    Effect.gen(function*() {
      for (const expiresAt of [999, 1000, 1001]) {
        for (const via of ["peek", "get"] as const) {
          const key = `${via}-${expiresAt}`
          yield* memory.set(key, entry(expiresAt))
          yield* TestClock.setTime(1000)
          const answer = via === "peek"
            ? peeked(memory, key, 1000)
            : Redacted.value(Option.getOrUndefined(yield* memory.get(key))?.token ?? Redacted.make("none"))
          assert.strictEqual(answer, expiresAt > 1000 ? `at-${expiresAt}` : "none", `${via} at ${expiresAt}`)
          // an expired entry is dropped either way: later reads find nothing
          assert.strictEqual(peeked(memory, key, 0), expiresAt > 1000 ? `at-${expiresAt}` : "none")
        }
      }
      assert.strictEqual(peeked(memory, "absent", 0), "none")
    }))

  /** The token of every step and the fetches made, on a config whose cache is `cache`; tokens live 60 s. */
  const script = (cache: TokenCache.TokenCache) =>
    Effect.gen(function*() {
      const used: Array<string> = []
      // seconds to move the clock before each call, across the half-life refresh (30 s) and expiry (60 s)
      for (const step of [0, 29, 0.999, 0.002, 29, 31, 59, 1]) {
        yield* TestClock.adjust(`${step * 1000} millis`)
        used.push(Redacted.value(yield* Tokens.tenantAccessToken()))
      }
      // an entry another writer stored without refreshAt: used until refreshAhead (3 minutes) before it expires
      const key = Tokens.cacheKey(yield* LarkConfig.LarkConfig, "tenant")
      const now = yield* Clock.currentTimeMillis
      yield* cache.set(key, { token: Redacted.make("t-stored"), expiresAt: now + 200_000 })
      for (const step of [0, 19, 0.5, 1]) {
        yield* TestClock.adjust(`${step * 1000} millis`)
        used.push(Redacted.value(yield* Tokens.tenantAccessToken()))
      }
      const fetches = (yield* bodiesTo("/open-apis/auth/v3/tenant_access_token/internal")).length
      return { used, fetches }
    }).pipe(Effect.provide(Layer.merge(
      LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret"), refreshAhead: "3 minutes", tokenCache: cache }),
      MockHttp.layer(MockHttp.tokenRoutes(60), { tokens: false })
    )))

  it.effect("the tokens and fetches of calls are the same with peek as through get alone", () =>
    Effect.gen(function*() {
      const withPeek = TokenCache.makeMemory()
      assert.isDefined(withPeek.peek)
      const inner = TokenCache.makeMemory()
      const throughGet: TokenCache.TokenCache = { get: inner.get, set: inner.set, remove: inner.remove }
      const fast = yield* script(withPeek)
      const slow = yield* script(throughGet)
      assert.deepStrictEqual(fast, slow)
      assert.deepStrictEqual(fast.used, [
        "t-mock-1", "t-mock-1", "t-mock-1", "t-mock-2", "t-mock-2", "t-mock-3", "t-mock-4", "t-mock-4",
        "t-stored", "t-stored", "t-stored", "t-mock-5"
      ])
      assert.strictEqual(fast.fetches, 5)
    }))
})

describe("user access tokens", () => {
  const layer = (routes: ReadonlyArray<MockHttp.Route>) =>
    Layer.merge(LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret") }), MockHttp.layer(routes))

  it.effect("OIDC v1: exchanges a code with the app token", () =>
    Effect.gen(function*() {
      const token = yield* UserAccessToken.exchangeCodeOidc("code-1")
      assert.strictEqual(Redacted.value(token.accessToken), "u-1")
      assert.strictEqual(Redacted.value(token.refreshToken!), "ur-1")
      assert.strictEqual(token.expiresIn, 6900)
      const call = (yield* requests).find((r) => r.path === "/open-apis/authen/v1/oidc/access_token")!
      assert.strictEqual(call.headers.authorization, "Bearer a-mock-1")
      assert.deepStrictEqual(call.body, { _tag: "Json", value: { grant_type: "authorization_code", code: "code-1" } })
    }).pipe(Effect.provide(layer([
      MockHttp.route("POST", "/open-apis/authen/v1/oidc/access_token", () =>
        MockHttp.ok({ access_token: "u-1", refresh_token: "ur-1", token_type: "Bearer", expires_in: 6900, refresh_expires_in: 2592000, scope: "" }))
    ]))))

  it.effect("OAuth v2: refresh with the client credentials in the body", () =>
    Effect.gen(function*() {
      const token = yield* UserAccessToken.refresh(Redacted.make("ur-1"), "v2")
      assert.strictEqual(Redacted.value(token.accessToken), "u-2")
      assert.strictEqual(token.refreshExpiresIn, 604800)
      const call = (yield* requests).find((r) => r.path === "/open-apis/authen/v2/oauth/token")!
      assert.isUndefined(call.headers.authorization)
      assert.deepStrictEqual(call.body, {
        _tag: "Json",
        value: { grant_type: "refresh_token", refresh_token: "ur-1", client_id: "cli_1", client_secret: "app-secret" }
      })
    }).pipe(Effect.provide(layer([
      MockHttp.route("POST", "/open-apis/authen/v2/oauth/token", () => ({
        body: { code: 0, access_token: "u-2", expires_in: 7200, refresh_token: "ur-2", refresh_token_expires_in: 604800, token_type: "Bearer" }
      }))
    ]))))

  it.effect("an answer that does not decode is a LarkTokenError that does not carry the body (it holds tokens)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(UserAccessToken.refresh(Redacted.make("ur-1"), "v2"))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.notInclude(JSON.stringify(error) + String(error), "ur-secret-2")
    }).pipe(Effect.provide(layer([
      MockHttp.route("POST", "/open-apis/authen/v2/oauth/token", () => ({
        body: { code: 0, access_token: 42, expires_in: 7200, refresh_token: "ur-secret-2" }
      }))
    ]))))

  it.effect("OAuth v3: an `error` answer is a LarkTokenError with the description", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(UserAccessToken.exchangeCode({ code: "used", codeVerifier: "v" }))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.include(error.message, "the code was already used")
      const call = (yield* requests).find((r) => r.path === "/oauth/v3/token")!
      assert.strictEqual(call.url.origin, "https://accounts.feishu.cn")
    }).pipe(Effect.provide(layer([
      MockHttp.route("POST", "/oauth/v3/token", () => ({ status: 400, body: { error: "invalid_grant", error_description: "the code was already used" } }))
    ]))))
})
