/**
 * The Koa middleware on a real Koa app over loopback, bare and behind `@koa/bodyparser`: the signature is
 * checked over the raw text the parser kept (`ctx.request.rawBody`), or over the bytes read from `ctx.req`.
 */
import { bodyParser } from "@koa/bodyparser"
import { describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import Koa from "koa"
import { koaMiddleware } from "../../src/adapters/koa.js"
import { loopback, urlOf } from "../fixtures/loopback.js"
import { appRuntime, withLogsTo } from "../dialect.js"
import { LIMIT, recordingEntry, webhookCases } from "./webhookCases.js"

const quiet = withLogsTo(() => {})

describe("Koa adapter", () => {
  for (const parsed of [false, true]) {
    it.live(parsed ? "behind @koa/bodyparser" : "bare", () =>
      Effect.gen(function*() {
        const { respond, seen } = recordingEntry()
        const app = new Koa()
        if (parsed) app.use(bodyParser())
        app.use(koaMiddleware(respond, yield* appRuntime(), { maxBodySize: LIMIT }))
        yield* webhookCases(`${urlOf(yield* loopback(app.callback()))}/lark`, seen)
      }).pipe(Effect.scoped, quiet))
  }
})
