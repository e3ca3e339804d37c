/** lark-effect's long-connection client as the benchmarks run it: a `LongConnection` whose handler does nothing. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { warningsOnStandardError, withClock } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import { APP } from "../shared/app.js"

/**
 * Connects to the fake server at `url` and keeps the connection running for the life of the process, on
 * `clock` if given (the soak's).
 */
export const connect = async (url: string, clock?: Clock.Clock): Promise<void> => {
  const dispatcher = EventDispatcher.make().on("im.message.receive_v1", () => Effect.void)
  const wiring = Layer.mergeAll(
    Layer.orDie(LarkConfig.layer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url })),
    FetchHttpClient.layer,
    WsLayer.layer,
    warningsOnStandardError()
  )
  const run = LongConnection.run(dispatcher).pipe(Effect.provide(wiring))
  Effect.runFork(clock === undefined ? run : withClock(run, clock))
}
