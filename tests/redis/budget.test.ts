/**
 * The shared outbound budget (`layers/redis/budget.ts`): in one process, and for two replicas on one real
 * redis-server, which draw from one budget per app and API family.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
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
      const third = yield* Effect.fork(Effect.provide(send, replica))
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
      const fourth = yield* Effect.fork(Effect.provide(send, b))
      yield* Effect.sleep("300 millis")
      expect((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length).toBe(3)
      yield* Fiber.interrupt(fourth)
      // families without a limit are not metered: both replicas fetched their own token
      expect(yield* fake.tokenFetches).toBe(2)
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped, Effect.runPromise), 30_000)
})
