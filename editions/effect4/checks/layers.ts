/**
 * The Node wiring and the Redis layers on Effect 4: the README quick start on `lark-effect/layers/fetch` (the undici wiring type-checks, but the edition's undici 8 needs Node 22) against
 * the fake Open Platform on 127.0.0.1, a message sent twice with the tenant token fetched once; two replicas whose
 * tokens live in a private `redis-server` (one fetch for both, on `MockHttp`); and the Redis event de-duplication
 * store; and the shared outbound budget, in memory and on that Redis for two replicas (a message over the budget
 * waits), and unmetered while its Redis cannot be reached. The fake platform and the dedupe store are loaded when run (they need other areas' modules on Effect 4:
 * the fakes `FakeChannelApis` / `FakeRegistration`, `src/events/Dedupe.ts`); a part that cannot load reports
 * `unavailable`. Prints one JSON line for tests/effect4/edition.test.ts.
 */
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import { Redis as IORedis } from "ioredis"
import * as Lark from "../layers/fetch.js"
import * as Budget from "../layers/redis/budget.js"
import * as RedisClient from "../layers/redis/client.js"
import { redisServer } from "../layers/redis/testServer.js"
import * as RedisTokenCache from "../layers/redis/tokenCache.js"
import * as Message from "../src/api/im/v1/message.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { defaultApp } from "../src/testing/fakeApps.js"
import type * as FakeOpenPlatform from "../src/testing/FakeOpenPlatform.js"
import * as MockHttp from "../src/testing/MockHttp.js"

const send = (text: string) =>
  Message.create({
    params: { receive_id_type: "chat_id" },
    data: { receive_id: "oc_1", msg_type: "text", content: JSON.stringify({ text }) }
  })

const unavailable = (cause: Cause.Cause<unknown>) => Effect.succeed({ unavailable: Cause.pretty(cause).split("\n")[0] })

/** The quick start: `Lark.layer(...)` (fetch) and two messages, against the fake platform on 127.0.0.1. */
const quickStart = Effect.gen(function*() {
  const Fake = yield* Effect.promise(() => import("../src/testing/FakeOpenPlatform.js"))
  const fakeLayer = Fake.layer().pipe(Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
  return yield* Effect.flatMap(Fake.FakeOpenPlatform, sendTwice).pipe(Effect.provide(fakeLayer))
}).pipe(Effect.catchCause(unavailable))

const sendTwice = (fake: typeof FakeOpenPlatform.FakeOpenPlatform.Service) =>
  Effect.gen(function*() {
    const first = yield* send("hello")
    const second = yield* send("again")
    const calls = yield* fake.calls
    return {
      sent: [first.message_id !== undefined, second.message_id !== undefined],
      chat: first.chat_id,
      paths: calls.map((call) => `${call.method} ${call.path}`),
      authorization: calls.filter((call) => call.path === "/open-apis/im/v1/messages").map((call) =>
        call.headers["authorization"]?.startsWith("Bearer ") === true
      ),
      tokenFetches: yield* fake.tokenFetches
    }
  }).pipe(Effect.provide(Lark.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: fake.url })))

const tokenRoutes = [
  MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({ message_id: "om_1", chat_id: "oc_1", msg_type: "text" }))
]

/** One replica: its own `LarkConfig` and client (`MockHttp`), with its tokens in the Redis at `url`. */
const replica = (url: string) =>
  Layer.effect(
    LarkConfig.LarkConfig,
    Effect.flatMap(RedisTokenCache.make(), (tokenCache) =>
      LarkConfig.make({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), tokenCache }))
  ).pipe(Layer.provide(RedisClient.layer({ url, prefix: "e4:" })), Layer.merge(MockHttp.layer(tokenRoutes)))

const paths = Effect.map(MockHttp.MockHttp, (mock) => Effect.map(mock.requests, (requests) => requests.map((request) => request.path)))

/** Two replicas on one Redis: the second finds the first's token there. */
const redisTokens = (url: string) =>
  Effect.gen(function*() {
    const first = yield* Effect.provide(Effect.andThen(send("from replica 1"), Effect.flatten(paths)), replica(url))
    const second = yield* Effect.provide(Effect.andThen(send("from replica 2"), Effect.flatten(paths)), replica(url))
    const keys = yield* Effect.acquireUseRelease(
      Effect.sync(() => new IORedis(url)),
      (client) => Effect.promise(() => client.keys("e4:token:*")),
      (client) => Effect.sync(() => client.disconnect())
    )
    return { first, second, keys: keys.length }
  }).pipe(Effect.catchCause(unavailable))

/** The event de-duplication store on Redis (loaded here: it needs `src/events/Dedupe.ts` on Effect 4). */
const redisDedupe = (url: string) =>
  Effect.gen(function*() {
    const Dedupe = yield* Effect.promise(() => import("../layers/redis/dedupe.js"))
    return yield* Effect.scoped(Effect.gen(function*() {
      const store = yield* Dedupe.make()
      const first = yield* store.claim("ev_1")
      const again = yield* store.claim("ev_1")
      yield* store.complete("ev_1")
      const done = yield* store.claim("ev_1")
      const other = yield* store.claim("ev_2")
      yield* store.release("ev_2")
      const released = yield* store.claim("ev_2")
      return { first, again, done, other, released }
    })).pipe(Effect.provide(RedisClient.layer({ url, prefix: "e4:" })))
  }).pipe(Effect.catchCause(unavailable))

/**
 * Messages that went out while `count` replicas of one app, by turns, spent a budget of `limit` an hour and sent
 * one more: those within the budget go out, the next one waits.
 */
const budgetOf = (
  budget: (limit: number) => Layer.Layer<HttpClient.HttpClient, unknown, HttpClient.HttpClient>,
  limit: number,
  count: number
) =>
  Effect.gen(function*() {
    const mock = yield* MockHttp.make(tokenRoutes)
    const replica = Layer.merge(
      LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret) }),
      budget(limit).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)))
    )
    const replicas = []
    for (let i = 0; i < count; i++) replicas.push(yield* Layer.build(replica))
    for (let i = 0; i < limit; i++) yield* Effect.provide(send(`within ${i}`), replicas[i % count]!)
    const over = yield* Effect.forkChild(Effect.provide(send("over"), replicas[limit % count]!))
    yield* Effect.sleep("300 millis")
    const requests = yield* mock.service.requests
    yield* Fiber.interrupt(over)
    return requests.filter((request) => request.path === "/open-apis/im/v1/messages").length
  })

const hourly = (limit: number) => ({ "im/v1/messages": { limit, window: "1 hour" } }) as const

/** The outbound budget: per replica in memory, shared on Redis, and unmetered while Redis is unreachable. */
const budget = (url: string) =>
  Effect.gen(function*() {
    const memory = yield* budgetOf((limit) => Budget.layerMemory({ app: defaultApp.appId, limits: hourly(limit) }), 2, 1)
    const redis = yield* budgetOf(
      (limit) => Budget.layerRedis({ app: defaultApp.appId, url, prefix: "e4:budget:", limits: hourly(limit) }),
      3,
      2
    )
    const keys = yield* Effect.acquireUseRelease(
      Effect.sync(() => new IORedis(url)),
      (client) => Effect.promise(() => client.keys("e4:budget:*")),
      (client) => Effect.sync(() => client.disconnect())
    )
    // no Redis on port 1: the messages go out, each after a logged warning
    const warnings: Array<string> = []
    const recordWarnings = Logger.layer([Logger.make(({ logLevel, message }) => {
      if (logLevel === "Warn") warnings.push(String(Array.isArray(message) ? message[0] : message))
    })])
    const unreachable = yield* Effect.gen(function*() {
      const mock = yield* MockHttp.make(tokenRoutes)
      const replica = Layer.merge(
        LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret) }),
        Budget.layerRedis({ app: defaultApp.appId, url: "redis://127.0.0.1:1", limits: hourly(1) }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
        )
      )
      yield* Effect.provide(Effect.all([send("unmetered 1"), send("unmetered 2")]), replica)
      const requests = yield* mock.service.requests
      return requests.filter((request) => request.path === "/open-apis/im/v1/messages").length
    }).pipe(Effect.scoped, Effect.provide(recordWarnings))
    // sorted: the connection's warning is logged in the background
    return { memory, redis, keys, unreachable, warnings: warnings.sort() }
  }).pipe(Effect.scoped, Effect.catchCause(unavailable))

const program = Effect.gen(function*() {
  const quick = yield* quickStart
  const redis = yield* redisServer
  return {
    quickStart: quick,
    redisTokens: yield* redisTokens(redis.url),
    redisDedupe: yield* redisDedupe(redis.url),
    budget: yield* budget(redis.url)
  }
})

Effect.runPromise(Effect.scoped(program)).then(
  (result) => {
    console.log(JSON.stringify(result))
    process.exit(0)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
