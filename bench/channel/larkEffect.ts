/**
 * The channel benchmark's lark-effect client: a `Channel` on the long connection or on its webhook transport
 * (mounted with `eventListener` on a node:http server, Encrypt Key and Verification Token configured), run by
 * `run.ts`, acking once the handler finished (the default) or, with `BENCH_CHANNEL_ACK=queued`, once the
 * message is queued (what node-sdk's channel does).
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { layer as larkLayer } from "../../layers/index.js"
import * as WsLayer from "../../layers/ws.js"
import { Channel } from "../../src/channel/Channel.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { appRuntime, catchAllCause, warningsOnStandardError } from "../../src/internal/dialect.js"
import { APP, WEBHOOK } from "../shared/app.js"
import { runClient, serveWebhook } from "./client.js"

void runClient((url, transport, probe) =>
  new Promise<string | undefined>((connected, failed) => {
    const bot = Effect.gen(function*() {
      const channel = yield* Channel.make({
        transport,
        encryptKey: Redacted.make(WEBHOOK.encryptKey),
        verificationToken: Redacted.make(WEBHOOK.verificationToken),
        ack: process.env.BENCH_CHANNEL_ACK === "queued" ? "queued" : "handled"
      })
      yield* channel.on("Message", (message) =>
        probe.onMessage() ? Effect.asVoid(channel.reply(message, { text: "pong" })) : Effect.void)
      yield* channel.connect
      const runtime = yield* appRuntime()
      connected(transport === "webhook" ? yield* Effect.promise(() => serveWebhook(nodeListener(channel.webhook, runtime))) : undefined)
      return yield* Effect.never
    })
    const wiring = Layer.mergeAll(
      larkLayer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url }),
      WsLayer.layer,
      warningsOnStandardError()
    )
    Effect.runFork(bot.pipe(
      Effect.scoped,
      Effect.provide(wiring),
      catchAllCause((cause) => Effect.sync(() => failed(new Error(Cause.pretty(cause)))))
    ))
  }))
