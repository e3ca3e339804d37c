/**
 * One benchmark replica in its own process: `handleEvent` with a no-op `bench.work` handler on a loopback
 * port, with the in-memory dedupe store (STORE=memory) or the Redis one (STORE=redis, REDIS_URL,
 * REDIS_PREFIX). Sends its URL to the parent over IPC; exits when the parent goes.
 */
import { createServer } from "node:http"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { listen } from "../../examples/replicas.js"
import * as Redis from "../../layers/Redis.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { KEY } from "./key.js"

const dispatcher = EventDispatcher.make({ encryptKey: KEY }).on("bench.work", () => Effect.void)

const store = process.env.STORE === "redis"
  ? Redis.layerDedupe().pipe(Layer.provide(Redis.layerClient({ url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX })))
  : Layer.empty

const runtime = ManagedRuntime.make(store)
process.on("disconnect", () => process.exit(0))
void runtime.runPromise(Effect.gen(function*() {
  const url = yield* listen(createServer(nodeListener(handle(dispatcher), yield* Effect.runtime<never>())))
  process.send!({ url })
  yield* Effect.never
}).pipe(Effect.scoped))
