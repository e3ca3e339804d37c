/**
 * The shared outbound budget (`layers/redis/budget.ts`): in one process, and for two replicas on one real
 * redis-server, which draw from one budget per app and API family.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as UndiciWiring from "../../layers/index.js"
import * as Budget from "../../layers/redis/budget.js"
import { redisServer, skipReason } from "../../layers/redis/testServer.js"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { im } from "../../src/api/im/index.js"
import * as Exchange from "../../src/Exchange.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { fork, withLogsTo } from "../dialect.js"

const send = im.v1.message.create({
  params: { receive_id_type: "chat_id" },
  data: { receive_id: "oc_budget", msg_type: "text", content: JSON.stringify({ text: "hi" }) }
})

describe("outbound budget", () => {
  it("API family of a URL", () => {
    expect(Budget.familyOf("https://open.feishu.cn/open-apis/im/v1/messages?receive_id_type=chat_id")).toBe("im/v1/messages")
    expect(Budget.familyOf("http://127.0.0.1:1/open-apis/im/v1/messages/om_1/reply")).toBe("im/v1/messages")
    expect(Budget.familyOf("https://open.feishu.cn/open-apis/auth/v3/tenant_access_token/internal")).toBe("auth/v3/tenant_access_token")
    expect(Budget.familyOf("https://accounts.feishu.cn/oauth/v3/token")).toBeUndefined()
  })

  it("the wait of a turn: none within the budget, then until the start of the turn's window", () => {
    const hour = 3_600_000
    const third = hour / 3 // each turn of 3 an hour adds a third of an hour to the key's life
    // no time gone by: the first 3 go at once, the 4th to 6th wait an hour, the 7th two
    expect(Budget.fixedWindowDelay(1, third, 3, hour)).toEqual(Duration.zero)
    expect(Budget.fixedWindowDelay(3, 3 * third, 3, hour)).toEqual(Duration.zero)
    expect(Budget.fixedWindowDelay(4, 4 * third, 3, hour)).toEqual(Duration.hours(1))
    expect(Budget.fixedWindowDelay(6, 6 * third, 3, hour)).toEqual(Duration.hours(1))
    expect(Budget.fixedWindowDelay(7, 7 * third, 3, hour)).toEqual(Duration.hours(2))
    // 10 minutes after the first: the 4th waits 50
    expect(Budget.fixedWindowDelay(4, 4 * third - 600_000, 3, hour)).toEqual(Duration.minutes(50))
    // after its window has opened: no wait
    expect(Budget.fixedWindowDelay(4, 4 * third - hour, 3, hour)).toEqual(Duration.zero)
  })

  it("a budget in memory meters the undici wiring's own exchange, which it keeps", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const budgeted = Budget.layerMemory({ app: defaultApp.appId, limits: { "im/v1/messages": { limit: 2, window: "1 hour" } } }).pipe(
        Layer.provide(UndiciWiring.HttpLive)
      )
      const replica = yield* Layer.build(Layer.merge(
        LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url }),
        budgeted
      ))
      expect(Exchange.ownExchange(Context.get(replica, HttpClient.HttpClient))).toBeDefined()
      yield* Effect.provide(Effect.all([send, send]), replica)
      const third = yield* fork(Effect.provide(send, replica))
      yield* Effect.sleep("300 millis")
      expect((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length).toBe(2)
      yield* Fiber.interrupt(third)
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped, Effect.runPromise))

  it.skipIf(skipReason !== undefined)(`two replicas share one budget on Redis${skipReason ? ` (skipped: ${skipReason})` : ""}`, () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const replica = Layer.merge(
        LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url }),
        Budget.layerRedis({ app: defaultApp.appId, url: redis.url, limits: { "im/v1/messages": { limit: 3, window: "1 hour" } } }).pipe(
          Layer.provide(FetchHttpClient.layer)
        )
      )
      const [a, b] = yield* Effect.all([Layer.build(replica), Layer.build(replica)])
      yield* Effect.provide(Effect.all([send, send]), a)
      yield* Effect.provide(send, b)
      // the budget of the hour is spent by the two replicas together: b's next message waits
      const fourth = yield* fork(Effect.provide(send, b))
      yield* Effect.sleep("300 millis")
      expect((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length).toBe(3)
      yield* Fiber.interrupt(fourth)
      // families without a limit are not metered: both replicas fetched their own token
      expect(yield* fake.tokenFetches).toBe(2)
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped, Effect.runPromise), 30_000)

  it.skipIf(skipReason !== undefined)(`a request over the budget on Redis goes out when its window opens${skipReason ? ` (skipped: ${skipReason})` : ""}`, () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const fake = yield* FakeOpenPlatform
      const replica = Layer.merge(
        LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url }),
        Budget.layerRedis({ app: defaultApp.appId, url: redis.url, prefix: "windows:", limits: { "im/v1/messages": { limit: 2, window: "1 second" } } }).pipe(
          Layer.provide(FetchHttpClient.layer)
        )
      )
      const started = Date.now()
      yield* Effect.provide(Effect.all([send, send, send]), replica)
      // the token fetch and two messages in the first second, the third message in the next
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      expect((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length).toBe(3)
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped, Effect.runPromise), 30_000)

  it("while its Redis cannot be reached, requests go out unmetered, each after a warning", () => {
    const messages: Array<unknown> = []
    return Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const replica = Layer.merge(
        LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url }),
        Budget.layerRedis({ app: defaultApp.appId, url: "redis://127.0.0.1:1", limits: { "*": { limit: 1, window: "1 hour" } } }).pipe(
          Layer.provide(FetchHttpClient.layer)
        )
      )
      yield* Effect.provide(Effect.all([send, send]), replica)
      expect((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length).toBe(2)
      // the token's request and the two messages, each unmetered
      expect(messages.filter((message) => message === "lark-effect outbound budget unavailable; request sent unmetered")).toHaveLength(3)
    }).pipe(
      withLogsTo((entry) => messages.push([entry.message].flat()[0])),
      Effect.provide(fakeOpenPlatform()),
      Effect.scoped,
      Effect.runPromise
    )
  }, 30_000)
})
