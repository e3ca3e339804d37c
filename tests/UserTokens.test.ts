import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Fiber, Layer, Redacted } from "effect"
import * as TestClock from "effect/TestClock"
import * as LarkConfig from "../src/LarkConfig.js"
import { LarkTokenError } from "../src/LarkError.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import { UserTokens, withUser } from "../src/UserTokens.js"
import * as UserTokensModule from "../src/UserTokens.js"
import * as UserAccessToken from "../src/UserAccessToken.js"
import { fork, withLogsTo, yieldNow } from "./dialect.js"
import { message } from "./fixtures/operations.js"

const TOKEN_PATH = "/oauth/v3/token"

const requests = Effect.flatten(Effect.map(MockHttp.MockHttp, (mock) => mock.requests))
const refreshes = Effect.map(requests, (all) =>
  all.filter((r) => r.path === TOKEN_PATH).map((r) => (r.body as { value: { refresh_token: string } }).value.refresh_token))

const refused = (description: string) => ({ status: 400, body: { error: "invalid_grant", error_description: description, code: 20064 } })

/**
 * Each refresh token `r-<user>-<n>` gives access token `u-<user>-<n+1>` and refresh token `r-<user>-<n+1>`, once
 * (a refresh token is single use: sent again, it is refused); user "revoked" is refused, user "down" answered
 * 503, user "slow" never answered, user "lag" answered after a second and user "gone" refused after a second;
 * any code gives `u-c-9`.
 */
const tokenRoute = () => {
  const used = new Set<string>()
  return MockHttp.route("POST", TOKEN_PATH, (request) => {
    const body = (request.body as { value: Record<string, string> }).value
    if (body.grant_type === "authorization_code") return { body: { code: 0, access_token: "u-c-9", refresh_token: "r-c-9", expires_in: 7200 } }
    const [, user, n] = body.refresh_token!.split("-")
    if (user === "slow") return Effect.never
    if (user === "down") return { status: 503, body: { error: "server_error", error_description: "try later" } }
    if (user === "revoked") return refused("refresh token revoked")
    if (user === "gone") return Effect.as(Effect.sleep("1 second"), refused("refresh token revoked"))
    if (used.has(body.refresh_token!)) return refused("refresh token already used")
    used.add(body.refresh_token!) // consumed on arrival, whether the answer is received or not
    const next = Number(n) + 1
    const answer = {
      body: { code: 0, access_token: `u-${user}-${next}`, refresh_token: `r-${user}-${next}`, expires_in: 7200, refresh_token_expires_in: 604800 }
    }
    return user === "lag" ? Effect.as(Effect.sleep("1 second"), answer) : answer
  })
}

const layer = (routes: ReadonlyArray<MockHttp.Route> = []) =>
  Layer.mergeAll(
    LarkConfig.layer({ appId: "cli_1", appSecret: Redacted.make("app-secret") }),
    MockHttp.layer([tokenRoute(), ...routes]),
    UserTokensModule.layerMemory()
  )

/** Lets the other fibers run until `count` refreshes reached the platform. */
const untilRefreshes = (count: number): Effect.Effect<void, never, MockHttp.MockHttp> =>
  Effect.flatMap(refreshes, (sent) => sent.length >= count ? Effect.void : Effect.andThen(yieldNow, untilRefreshes(count)))

const token = (user: string, n = 0, expiresIn = 7200): UserAccessToken.UserToken => ({
  accessToken: Redacted.make(`u-${user}-${n}`),
  refreshToken: Redacted.make(`r-${user}-${n}`),
  tokenType: "Bearer",
  expiresIn,
  refreshExpiresIn: 604800,
  scope: undefined
})

const get = (userId: string) => Effect.map(Effect.flatMap(UserTokens, (tokens) => tokens.get(userId)), Redacted.value)

/** The in-memory store, whose `set` fails while `down.failing` (a store briefly unreachable). */
const flakyStore = (down: { failing: boolean }) =>
  Effect.map(UserTokensModule.memoryStore, (store): UserTokensModule.Store => ({
    ...store,
    set: (userId, entry, ttl) =>
      Effect.suspend(() => down.failing ? Effect.fail(new LarkTokenError({ kind: "user", detail: "store down" })) : store.set(userId, entry, ttl))
  }))

describe("UserTokens", () => {
  it.effect("answers the stored token, and refreshes it within refreshAhead (5 minutes) of expiry", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_a", token("a"))
      assert.strictEqual(yield* get("ou_a"), "u-a-0")
      yield* TestClock.adjust("114 minutes")
      assert.strictEqual(yield* get("ou_a"), "u-a-0")
      assert.deepStrictEqual(yield* refreshes, [])
      yield* TestClock.adjust("2 minutes")
      assert.strictEqual(yield* get("ou_a"), "u-a-1")
      assert.strictEqual(yield* get("ou_a"), "u-a-1")
      assert.deepStrictEqual(yield* refreshes, ["r-a-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("10 concurrent gets for one user make one refresh; another user refreshes on its own", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_a", token("a", 0, 60))
      yield* tokens.put("ou_b", token("b", 0, 60))
      const got = yield* Effect.all([...Array.from({ length: 10 }, () => get("ou_a")), get("ou_b")], { concurrency: "unbounded" })
      assert.deepStrictEqual(got, [...Array.from({ length: 10 }, () => "u-a-1"), "u-b-1"])
      assert.deepStrictEqual((yield* refreshes).sort(), ["r-a-0", "r-b-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("a user's refresh does not wait on another user's hanging refresh", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_slow", token("slow", 0, 60))
      yield* tokens.put("ou_b", token("b", 0, 60))
      const slow = yield* fork(get("ou_slow"))
      assert.strictEqual(yield* get("ou_b"), "u-b-1")
      yield* Fiber.interrupt(slow)
    }).pipe(Effect.provide(layer())))

  it.effect("a refused refresh removes the entry and fails with LarkTokenError kind user", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_r", token("revoked", 0, 60))
      const error = yield* Effect.flip(get("ou_r"))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.strictEqual(error._tag === "LarkTokenError" && error.kind, "user")
      const again = yield* Effect.flip(get("ou_r"))
      assert.include(again.message, "no token is stored")
      assert.strictEqual((yield* refreshes).length, 1)
    }).pipe(Effect.provide(layer())))

  it.effect("a refresh that fails with a 5xx keeps the entry, to be tried again", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_d", token("down", 0, 60))
      assert.strictEqual((yield* Effect.flip(get("ou_d")))._tag, "LarkTokenError")
      yield* Effect.flip(get("ou_d"))
      assert.deepStrictEqual(yield* refreshes, ["r-down-0", "r-down-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("a caller interrupted during a refresh does not interrupt the callers waiting for the same token", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_l", token("lag", 0, 60))
      const first = yield* fork(get("ou_l"))
      yield* untilRefreshes(1)
      const second = yield* fork(get("ou_l"))
      yield* yieldNow
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(second), "u-lag-1")
      assert.deepStrictEqual(yield* refreshes, ["r-lag-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("a caller that times out during a refresh does not cut it off from its save (the refresh token is spent)", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_l", token("lag", 0, 60))
      const impatient = yield* fork(Effect.timeout(get("ou_l"), "100 millis"))
      yield* untilRefreshes(1)
      yield* TestClock.adjust("100 millis")
      assert.include((yield* Effect.flip(Fiber.join(impatient)))._tag, "Timeout")
      yield* TestClock.adjust("900 millis")
      assert.strictEqual(yield* get("ou_l"), "u-lag-1")
      assert.strictEqual(yield* get("ou_l"), "u-lag-1")
      assert.deepStrictEqual(yield* refreshes, ["r-lag-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("a refused refresh leaves the token stored meanwhile (deletes only the entry it read)", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_g", token("gone", 0, 60))
      const refreshing = yield* fork(get("ou_g"))
      yield* untilRefreshes(1)
      yield* tokens.put("ou_g", token("a", 5)) // e.g. the user authorized the app again meanwhile
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Effect.flip(Fiber.join(refreshing)))._tag, "LarkTokenError")
      assert.strictEqual(yield* get("ou_g"), "u-a-5")
      assert.deepStrictEqual(yield* refreshes, ["r-gone-0"])
    }).pipe(Effect.provide(layer())))

  it.effect("a refreshed token whose save fails is the caller's all the same, used by the next refresh and saved once the store is back", () =>
    Effect.gen(function*() {
      const down = { failing: false }
      const store = yield* flakyStore(down)
      const tokens = yield* UserTokensModule.make(store)
      yield* tokens.put("ou_a", token("a", 0, 60))
      down.failing = true
      assert.strictEqual(Redacted.value(yield* tokens.get("ou_a")), "u-a-1")
      assert.strictEqual(Redacted.value(yield* tokens.get("ou_a")), "u-a-1")
      // the next refresh sends the refresh token the platform gave last, not the spent one the store holds
      assert.strictEqual(Redacted.value(yield* tokens.refresh("ou_a", Redacted.make("u-a-1"))), "u-a-2")
      assert.deepStrictEqual(yield* refreshes, ["r-a-0", "r-a-1"])
      down.failing = false
      yield* TestClock.adjust("10 seconds")
      // another replica over the same store reads what this one refreshed
      const replica = yield* UserTokensModule.make(store)
      assert.strictEqual(Redacted.value(yield* replica.get("ou_a")), "u-a-2")
      assert.deepStrictEqual(yield* refreshes, ["r-a-0", "r-a-1"])
    }).pipe(Effect.provide(layer())))

  it.effect("a refreshed token that cannot be saved for a minute is given up, with a warning that holds no token", () => {
    const logged: Array<string> = []
    return Effect.gen(function*() {
      const down = { failing: false }
      const tokens = yield* UserTokensModule.make(yield* flakyStore(down))
      yield* tokens.put("ou_a", token("a", 0, 60))
      down.failing = true
      assert.strictEqual(Redacted.value(yield* tokens.get("ou_a")), "u-a-1")
      yield* TestClock.adjust("2 minutes")
      assert.isTrue(logged.some((line) => line.includes("gave up saving the refreshed token of ou_a")))
      assert.isFalse(logged.some((line) => /[ur]-a-1/.test(line)))
    }).pipe(
      Effect.provide(layer()),
      withLogsTo((entry) => void logged.push(`${[entry.message].flat().map(String).join(" ")} ${Cause.pretty(entry.cause)}`))
    )
  })

  it.effect("the entry is dropped when its refresh token's lifetime is over", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.put("ou_a", token("a"))
      yield* TestClock.adjust("7 days")
      assert.include((yield* Effect.flip(get("ou_a"))).message, "no token is stored")
      assert.deepStrictEqual(yield* refreshes, [])
    }).pipe(Effect.provide(layer())))

  it.effect("exchange stores the token under the user", () =>
    Effect.gen(function*() {
      const tokens = yield* UserTokens
      yield* tokens.exchange("ou_c", { code: "code-1", codeVerifier: "v" })
      assert.strictEqual(yield* get("ou_c"), "u-c-9")
    }).pipe(Effect.provide(layer())))

  const hello = (userAccessToken: string) =>
    message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { userAccessToken })
  const authorizations = Effect.map(requests, (all) => all.filter((r) => r.path === "/open-apis/im/v1/messages").map((r) => r.headers.authorization))

  it.effect("withUser calls with the user's token", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_a", token("a")))
      assert.deepStrictEqual(yield* withUser("ou_a", hello), { message_id: "om_1" })
      assert.deepStrictEqual(yield* authorizations, ["Bearer u-a-0"])
    }).pipe(Effect.provide(layer([MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({ message_id: "om_1" }))]))))

  it.effect("withUser refreshes once and retries after a user-token-invalid answer; a second one is the caller's", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_a", token("a")))
      assert.deepStrictEqual(yield* withUser("ou_a", hello), { message_id: "om_1" })
      assert.deepStrictEqual(yield* authorizations, ["Bearer u-a-0", "Bearer u-a-1"])
      yield* Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_b", token("b")))
      const error = yield* Effect.flip(withUser("ou_b", hello))
      assert.strictEqual(error._tag === "LarkApiError" && error.code, 99991677)
      assert.deepStrictEqual((yield* authorizations).slice(2), ["Bearer u-b-0", "Bearer u-b-1"])
    }).pipe(Effect.provide(layer([
      MockHttp.route("POST", "/open-apis/im/v1/messages", (request) =>
        request.headers.authorization === "Bearer u-a-1"
          ? MockHttp.ok({ message_id: "om_1" })
          : MockHttp.fail(99991677, "user access token expired"))
    ]))))

  it.effect("a keyless app refreshes with its client assertion (audience the accounts host) instead of a secret", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(UserTokens, (tokens) => tokens.put("ou_a", token("a", 0, 60)))
      assert.strictEqual(yield* get("ou_a"), "u-a-1")
      const call = (yield* requests).find((r) => r.path === TOKEN_PATH)!
      assert.strictEqual(call.url.origin, "https://accounts.feishu.cn")
      assert.deepStrictEqual(call.body, {
        _tag: "Json",
        value: {
          grant_type: "refresh_token",
          refresh_token: "r-a-0",
          client_id: "cli_keyless",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: "jwt-for-accounts.feishu.cn"
        }
      })
    }).pipe(Effect.provide(Layer.mergeAll(
      LarkConfig.layer({ appId: "cli_keyless", clientAssertion: (audience) => Effect.succeed(Redacted.make(`jwt-for-${audience}`)) }),
      MockHttp.layer([tokenRoute()]),
      UserTokensModule.layerMemory()
    ))))

  it.effect("a keyless app is told that OAuth v2 takes no client assertion, before anything is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(UserAccessToken.refresh(Redacted.make("r-a-0"), "v2"))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.include(error.message, "OAuth v3")
      assert.deepStrictEqual(yield* requests, [])
    }).pipe(Effect.provide(Layer.merge(
      LarkConfig.layer({ appId: "cli_keyless", clientAssertion: () => Effect.succeed(Redacted.make("jwt")) }),
      MockHttp.layer([tokenRoute()])
    ))))
})
