/**
 * lark-effect's side of `bench/events`: `handle` over a dispatcher whose handler only counts, with one
 * `runPromise` per request (argument `per-request`: what the node:http listener does) or a slice of
 * requests in one fiber (`one-fiber`: what an `HttpApp` on an Effect server amounts to). `run.ts` runs it
 * through tsx and as an esbuild bundle (`../shared/bundle.ts` says why both).
 */
import * as Effect from "effect/Effect"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { KEY, runSide } from "./side.js"

let handled = 0
const respond = handle(EventDispatcher.make({ encryptKey: KEY }).on("im.message.receive_v1", () => Effect.sync(() => void handled++)))

void runSide({
  handled: () => handled,
  run: process.argv[2] === "one-fiber"
    ? (deliveries) =>
      Effect.runPromise(
        Effect.forEach(deliveries, ({ headers, rawBody }) => respond({ method: "POST", headers, rawBody }), { discard: true })
      )
    : async (deliveries) => {
      for (const { headers, rawBody } of deliveries) {
        const response = await Effect.runPromise(respond({ method: "POST", headers, rawBody }))
        if (response.status !== 200) throw new Error(`lark-effect answered ${response.status}`)
      }
    }
})
