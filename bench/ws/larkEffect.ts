/**
 * The lark-effect client of `bench/ws`: a `LongConnection` whose handler does nothing. `run.ts` runs it
 * through tsx and as an esbuild bundle (`../shared/bundle.ts` says why both).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import { APP } from "../shared/app.js"
import { runClient } from "./client.js"

void runClient(async (url) => {
  const dispatcher = EventDispatcher.make().on("im.message.receive_v1", () => Effect.void)
  const wiring = Layer.mergeAll(
    Layer.orDie(LarkConfig.layer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url })),
    FetchHttpClient.layer,
    WsLayer.layer
  )
  Effect.runFork(LongConnection.run(dispatcher).pipe(Effect.provide(wiring), Logger.withMinimumLogLevel(LogLevel.Warning)))
})
