/**
 * Two bots in one chat whose channels share a dedupe store (one Redis for several apps, here one in-memory
 * store): the platform delivers a message to each app under its own event id, and each bot must handle it.
 * The message-id claim is per app, so the second bot does not drop the message as a duplicate of the first's.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel, type ChannelService } from "../../src/channel/Channel.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp, type FakeApp } from "../../src/testing/fakeApps.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive, withLogsTo } from "../dialect.js"

const otherApp = { appId: "cli_b1b2c3d4e5f6a7b8", appSecret: "other_secret" } as const satisfies FakeApp

const alice: FakeChat.ChatUser = { openId: "ou_alice", name: "Alice" }

describe("the channel's message claim", () => {
  scopedLive("two apps sharing a dedupe store each handle a message of their shared chat", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const store = Dedupe.unsafeMakeMemory()
      const seen: Array<string> = []
      /** The channel of `app` over the shared store, recording what it handles and rejects. */
      const bot = (app: FakeApp) =>
        Effect.gen(function*() {
          const config = Layer.merge(
            Layer.orDie(LarkConfig.layer({ appId: app.appId, appSecret: Redacted.make(app.appSecret!), domain: fake.url })),
            FetchHttpClient.layer
          )
          const channel = yield* Channel.make({ transport: "webhook", policy: { requireMention: false } }).pipe(
            Effect.provide(config),
            Effect.provideService(Dedupe.EventDedupe, store)
          )
          yield* channel.on("Message", (message) => Effect.sync(() => void seen.push(`${app.appId} ran ${message.messageId}`)))
          yield* channel.on("Rejected", (rejected) => Effect.sync(() => void seen.push(`${app.appId} rejected ${rejected.reason}`)))
          yield* channel.connect
          return channel
        })
      const deliver = (channel: ChannelService, app: FakeApp, eventId: string) => {
        const envelope = FakeChat.messageEvent(
          { chatId: "oc_shared", chatType: "group", appId: app.appId },
          { from: alice, text: "hello both", messageId: "om_shared", eventId },
          Date.now()
        )
        return Effect.map(channel.webhook({ method: "POST", headers: {}, rawBody: JSON.stringify(envelope) }), (response) => response.status)
      }
      const [a, b] = yield* Effect.all([bot(defaultApp), bot(otherApp)])
      assert.strictEqual(yield* deliver(a, defaultApp, "evt_a"), 200)
      assert.strictEqual(yield* deliver(b, otherApp, "evt_b"), 200)
      assert.deepStrictEqual(seen, [`${defaultApp.appId} ran om_shared`, `${otherApp.appId} ran om_shared`])
    }).pipe(Effect.provide(fakeOpenPlatform({ apps: [defaultApp, otherApp] })), withLogsTo(() => {})))
})
