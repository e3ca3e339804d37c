/**
 * `npm run example:replicas`: three webhook replicas of one bot behind a round-robin proxy, sharing tokens
 * and event de-duplication through Redis (`lark-effect/layers/redis`).
 *
 * Everything runs on 127.0.0.1: the fake Open Platform (token endpoint, message API), a Redis (`REDIS_URL`,
 * else a private `redis-server` started here), the three replicas, the proxy, and a pusher that plays the
 * platform: it delivers each event (signed and encrypted) through the proxy, delivers some of them twice at
 * the same moment (as after a lost acknowledgement), and delivers again what was answered with a 500.
 * Each handler replies to the chat with the API, so every replica needs the tenant token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Console, Effect, Layer, Redacted } from "effect"
import type * as Scope from "effect/Scope"
import * as Redis from "../layers/Redis.js"
import { redisServer, skipReason } from "../layers/redis/testServer.js"
import { fakeOpenPlatform } from "../layers/testing.js"
import { im } from "../src/api/im/index.js"
import * as Crypto from "../src/events/crypto.js"
import * as EventDispatcher from "../src/events/EventDispatcher.js"
import { handle } from "../src/events/handle.js"
import { appRuntime, callback, dieMessage } from "../src/internal/dialect.js"
import { nodeListener } from "../src/events/nodeListener.js"
import { defaultApp } from "../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../src/testing/FakeOpenPlatform.js"
import { isMain } from "./run.js"

export const ENCRYPT_KEY = "replicas example key"

/** Listens on a free loopback port until the scope closes; answers the base URL. */
export const listen = (server: Server): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    callback<string>((resume) =>
      void server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)))),
    () => Effect.sync(() => server.closeAllConnections()).pipe(Effect.andThen(callback<void>((resume) => void server.close(() => resume(Effect.void)))))
  )

/**
 * One replica: its own Redis connection, `LarkConfig` with tokens in Redis, and the Redis dedupe store,
 * serving `dispatcher` on a loopback port.
 */
export const replica = <R>(
  dispatcher: EventDispatcher.EventDispatcher<R>,
  settings: { readonly redisUrl: string; readonly prefix: string; readonly platformUrl: string }
) =>
  Effect.gen(function*() {
    const live = Layer.mergeAll(
      Redis.layerLarkConfig({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: settings.platformUrl }),
      Redis.layerDedupe()
    ).pipe(Layer.provideMerge(Redis.layerClient({ url: settings.redisUrl, prefix: settings.prefix })), Layer.merge(FetchHttpClient.layer))
    const runtime = yield* Effect.provide(appRuntime<R>(), yield* Layer.build(live as Layer.Layer<R, unknown>))
    return yield* listen(createServer(nodeListener(handle(dispatcher), runtime)))
  })

/** A tiny load balancer: each request goes to the next upstream in turn. */
export const roundRobinProxy = (upstreams: ReadonlyArray<string>) => {
  let next = 0
  return listen(createServer((request: IncomingMessage, response: ServerResponse) => {
    const target = upstreams[next++ % upstreams.length]!
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => name === "content-type" || name.startsWith("x-lark-"))
      ) as Record<string, string>
      fetch(target, { method: request.method!, headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" })
          response.end(Buffer.from(await answer.arrayBuffer()))
        })
        .catch(() => response.writeHead(502).end())
    })
  }))
}

/** A v2 `im.message.receive_v1` envelope. */
export const messageEvent = (id: string, text: string) => ({
  schema: "2.0",
  header: { event_id: id, event_type: "im.message.receive_v1", create_time: String(Date.now()), app_id: defaultApp.appId },
  event: { message: { message_id: `om_${id}`, chat_id: "oc_fake_chat", message_type: "text", content: JSON.stringify({ text }) } }
})

export interface Delivery {
  readonly body: string
  readonly headers: Record<string, string>
}

/** One delivery as the platform makes it: the envelope encrypted with `key`, signed over the raw body. */
export const signedDelivery = (envelope: unknown, key: string = ENCRYPT_KEY): Delivery => {
  const body = JSON.stringify({ encrypt: Crypto.encrypt(key, JSON.stringify(envelope)) })
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = Math.random().toString(36).slice(2)
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-lark-request-timestamp": timestamp,
      "x-lark-request-nonce": nonce,
      "x-lark-signature": Crypto.signature(timestamp, nonce, key, body)
    }
  }
}

/** POSTs a delivery; answers the HTTP status. */
export const post = async (url: string, { body, headers }: Delivery): Promise<number> => {
  const answer = await fetch(url, { method: "POST", headers, body })
  await answer.arrayBuffer()
  return answer.status
}

/**
 * Delivers until a 200, as the platform retries (its 15 s / 5 min / 1 h / 6 h schedule compressed to 100 ms;
 * the platform gives up after 4 retries, this example after 20).
 */
const deliverUntilAcknowledged = (url: string, envelope: unknown, counts: { deliveries: number; retries: number }) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt <= 20; attempt++) {
      counts.deliveries++
      const status = yield* Effect.promise(() => post(url, signedDelivery(envelope)))
      if (status === 200) return
      counts.retries++
      yield* Effect.sleep("100 millis")
    }
    return yield* dieMessage("a delivery was never acknowledged")
  })

/** The fleet on `redisUrl`: pushes `events` events (every third one twice at once); answers what happened. */
export const runFleet = (redisUrl: string, events = 12) =>
  Effect.gen(function*() {
    const platform = yield* FakeOpenPlatform
    const handled: Array<{ readonly id: string; readonly replica: number }> = []
    const prefix = `lark-example:${Date.now()}:` // a fresh key space per run, also on a shared Redis
    const urls = yield* Effect.forEach([1, 2, 3], (n) =>
      replica(
        EventDispatcher.make({ encryptKey: ENCRYPT_KEY }).on("im.message.receive_v1", ({ header }) =>
          Effect.gen(function*() {
            yield* im.v1.message.create({
              params: { receive_id_type: "chat_id" },
              data: { receive_id: "oc_fake_chat", msg_type: "text", content: JSON.stringify({ text: `got ${header.event_id}` }) }
            })
            handled.push({ id: header.event_id, replica: n })
          })),
        { redisUrl, prefix, platformUrl: platform.url }
      ))
    const proxy = yield* roundRobinProxy(urls)
    const counts = { deliveries: 0, retries: 0 }
    const ids = Array.from({ length: events }, (_, i) => `evt_${String(i + 1).padStart(3, "0")}`)
    yield* Effect.forEach(ids, (id, i) => {
      const envelope = messageEvent(id, `hello ${i + 1}`)
      const copies = i % 3 === 0 ? 2 : 1
      return Effect.all(Array.from({ length: copies }, () => deliverUntilAcknowledged(proxy, envelope, counts)), { concurrency: "unbounded" })
    }, { concurrency: "unbounded" })
    return {
      proxy,
      ids,
      handled,
      deliveries: counts.deliveries,
      retries: counts.retries,
      tokenFetches: yield* platform.tokenFetches,
      messagesSent: (yield* platform.callsTo("POST", "/open-apis/im/v1/messages")).length
    }
  }).pipe(Effect.provide(fakeOpenPlatform()))

const main = Effect.gen(function*() {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv === undefined && skipReason !== undefined) {
    return yield* Console.log(`replicas: needs Redis: set REDIS_URL, or install redis-server (${skipReason}); nothing to do`)
  }
  const redisUrl = fromEnv ?? (yield* redisServer).url
  const run = yield* runFleet(redisUrl)
  yield* Console.log(`replicas: 3 webhook replicas behind a round-robin proxy at ${run.proxy}`)
  yield* Console.log(`Redis: ${fromEnv === undefined ? `a private redis-server at ${redisUrl}` : "REDIS_URL"}`)
  yield* Console.log(`pushed ${run.ids.length} events in ${run.deliveries} deliveries (every third one twice at once; ${run.retries} answered 500 and delivered again)`)
  for (const id of run.ids) {
    const by = run.handled.filter((h) => h.id === id).map((h) => `replica ${h.replica}`)
    yield* Console.log(`  ${id}: handled ${by.length === 1 ? "once" : `${by.length} times`}, by ${by.join(", ")}`)
  }
  const once = run.ids.every((id) => run.handled.filter((h) => h.id === id).length === 1)
  yield* Console.log(`every event handled exactly once: ${once ? "yes" : "NO"}`)
  yield* Console.log(`replies sent: ${run.messagesSent}; token requests made by the whole fleet: ${run.tokenFetches}`)
  if (!once) process.exitCode = 1
}).pipe(Effect.scoped)

if (isMain(import.meta.url)) void Effect.runPromise(main)
