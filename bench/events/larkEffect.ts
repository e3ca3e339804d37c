/**
 * The lark-effect side of `bench/events`: `handle` over a dispatcher whose handler only counts. `run.ts`
 * loads this module twice, as TypeScript through tsx and as an esbuild bundle (what an application
 * ships: tsx wraps every function it creates with a name-keeping helper that compiled code lacks).
 */
import * as Effect from "effect/Effect"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"

export interface Delivery {
  readonly headers: Record<string, string>
  readonly rawBody: Buffer
}

/** A fresh dispatcher fed slice by slice; counts its handler calls. */
export interface Runner {
  readonly run: (deliveries: ReadonlyArray<Delivery>) => Promise<void>
  readonly handled: () => number
}

const larkHandle = (encryptKey: string) => {
  let handled = 0
  const respond = handle(EventDispatcher.make({ encryptKey }).on("im.message.receive_v1", () => Effect.sync(() => void handled++)))
  return { respond, handled: () => handled }
}

/** One `runPromise` per request (what the node:http listener does). */
export const perRequest = (encryptKey: string): Runner => {
  const { handled, respond } = larkHandle(encryptKey)
  return {
    handled,
    run: async (deliveries) => {
      for (const { headers, rawBody } of deliveries) {
        const response = await Effect.runPromise(respond({ method: "POST", headers, rawBody }))
        if (response.status !== 200) throw new Error(`lark-effect answered ${response.status}`)
      }
    }
  }
}

/** A slice of requests in one fiber (what an `HttpApp` on an Effect server amounts to). */
export const oneFiber = (encryptKey: string): Runner => {
  const { handled, respond } = larkHandle(encryptKey)
  return {
    handled,
    run: (deliveries) =>
      Effect.runPromise(
        Effect.forEach(deliveries, ({ headers, rawBody }) => respond({ method: "POST", headers, rawBody }), { discard: true })
      )
  }
}
