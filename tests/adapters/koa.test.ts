/**
 * The Koa middleware on a real Koa app over loopback, bare and behind `@koa/bodyparser`: the signature is
 * checked over the raw text the parser kept (`ctx.request.rawBody`), or over the bytes read from `ctx.req`.
 */
import { bodyParser } from "@koa/bodyparser"
import { describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import Koa from "koa"
import { koaMiddleware } from "../../src/adapters/koa.js"
import { loopback, urlOf } from "../fixtures/loopback.js"
import { LIMIT, recordingEntry, webhookCases } from "./webhookCases.js"

const quiet = Logger.withMinimumLogLevel(LogLevel.None)

describe("Koa adapter", () => {
  for (const parsed of [false, true]) {
    it.live(parsed ? "behind @koa/bodyparser" : "bare", () =>
      Effect.gen(function*() {
        const { respond, seen } = recordingEntry()
        const app = new Koa()
        if (parsed) app.use(bodyParser())
        app.use(koaMiddleware(respond, yield* Effect.runtime<never>(), { maxBodySize: LIMIT }))
        yield* webhookCases(`${urlOf(yield* loopback(app.callback()))}/lark`, seen)
      }).pipe(Effect.scoped, quiet))
  }
})
