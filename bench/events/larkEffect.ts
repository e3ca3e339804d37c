/**
 * lark-effect's side of `bench/events`: `handle` over a dispatcher (Encrypt Key and Verification Token
 * configured) whose handler only counts, driven three ways (the argument):
 *
 * - `listener`: the node:http listener (`eventListener`) called per request, with the body already read
 *   (as after `express.raw()`) and a response that only records the answer: one fiber per request;
 * - `per-request`: `handle` with one `runPromise` per request;
 * - `one-fiber`: a slice of requests in one fiber (what an `HttpApp` on an Effect server amounts to).
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import * as Effect from "effect/Effect"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { appRuntime } from "../../src/internal/dialect.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { type Delivery, KEY, runSide, TOKEN } from "./side.js"

let handled = 0
const respond = handle(
  EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).on("im.message.receive_v1", () => Effect.sync(() => void handled++))
)

const answered = (status: number) => {
  if (status !== 200) throw new Error(`lark-effect answered ${status}`)
}

// the default runtime, read the way both Effect majors spell it (the bench runs on either edition)
const listener = nodeListener(respond, await Effect.runPromise(appRuntime()))

/** One request through the listener; resolves once it answered. */
const viaListener = ({ headers, rawBody }: Delivery) =>
  new Promise<void>((resolve, reject) => {
    const request = { method: "POST", headers, body: rawBody } as unknown as IncomingMessage
    let status = 0
    const response = {
      writeHead: (code: number) => void (status = code),
      end: () => {
        try {
          answered(status)
          resolve()
        } catch (error) {
          reject(error)
        }
      }
    } as unknown as ServerResponse
    listener(request, response)
  })

const runs: Record<string, (deliveries: ReadonlyArray<Delivery>) => Promise<void>> = {
  "listener": async (deliveries) => {
    for (const delivery of deliveries) await viaListener(delivery)
  },
  "per-request": async (deliveries) => {
    for (const { headers, rawBody } of deliveries) {
      answered((await Effect.runPromise(respond({ method: "POST", headers, rawBody }))).status)
    }
  },
  "one-fiber": (deliveries) =>
    Effect.runPromise(
      Effect.forEach(deliveries, ({ headers, rawBody }) => respond({ method: "POST", headers, rawBody }), { discard: true })
    )
}

const run = runs[process.argv[2] ?? ""]
if (run === undefined) throw new Error(`usage: larkEffect <${Object.keys(runs).join("|")}>`)
void runSide({ handled: () => handled, run })
