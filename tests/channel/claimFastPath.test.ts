/**
 * The channel's message-id claim over its own in-memory dedupe store (called at once, without an Effect)
 * against the same claim over a store used through its Effect operations only (an object spread from a
 * memory store, which the fast path does not recognise): on generated sequences of deliveries (messages
 * resent under new or the same event ids, handlers that fail), both channels answer every delivery with the
 * same status, run the same handlers and reject the same messages as duplicates.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { Channel } from "../../src/channel/Channel.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import { Union } from "../../src/internal/dialect.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { sample, scopedLive, withLogsTo } from "../dialect.js"

interface Delivery {
  readonly message: number
  /** The event id: a small pool, so that some deliveries are redeliveries of one event. */
  readonly event: number
  readonly fails: boolean
}

/** One of the integers from 0 to `max`. */
const upTo = (max: number) => Union(...Array.from({ length: max + 1 }, (_, n) => Schema.Literal(n)))

const delivery = Schema.Struct({ message: upTo(3), event: upTo(6), fails: Schema.Boolean })

/** `count` generated sequences of 1 to 12 deliveries (the same ones on every run of one major). */
const deliverySequences = (count: number, seed: number): ReadonlyArray<ReadonlyArray<Delivery>> => {
  const lengths = sample(upTo(11), { count, seed }).map((n) => n + 1)
  const all: ReadonlyArray<Delivery> = sample(delivery, { count: lengths.reduce((sum, n) => sum + n, 0), seed: seed + 1 })
  let next = 0
  return lengths.map((length) => all.slice(next, next += length))
}

const alice: FakeChat.ChatUser = { openId: "ou_alice", name: "Alice" }

/** Plays `deliveries` into a fresh webhook channel (over `store` when given); answers what it saw. */
const play = (deliveries: ReadonlyArray<Delivery>, store: Dedupe.Service | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const fake = yield* FakeOpenPlatform
    const config = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: defaultApp.appId, appSecret: Redacted.make("fake_secret"), domain: fake.url })),
      FetchHttpClient.layer
    )
    const channel = yield* Channel.make({ transport: "webhook" }).pipe(
      Effect.provide(config),
      store === undefined ? (effect) => effect : Effect.provideService(Dedupe.EventDedupe, store)
    )
    const seen: Array<string> = []
    yield* channel.on("Message", (message) =>
      Effect.suspend(() => {
        seen.push(`ran:${message.messageId}`)
        return message.bodyText.endsWith("fail") ? Effect.fail("handler failed") : Effect.void
      }))
    yield* channel.on("Rejected", (rejected) => Effect.sync(() => void seen.push(`rejected:${rejected.reason}:${rejected.messageId}`)))
    yield* channel.connect
    const now = Date.now()
    for (const d of deliveries) {
      const envelope = FakeChat.messageEvent(
        { chatId: "oc_claims", chatType: "p2p" },
        { from: alice, text: d.fails ? "please fail" : "hello", messageId: `om_${d.message}`, eventId: `evt_${d.event}` },
        now
      )
      const response = yield* channel.webhook({ method: "POST", headers: {}, rawBody: JSON.stringify(envelope) })
      seen.push(`status:${response.status}`)
    }
    return seen
  }))

describe("the channel's message claim over an in-memory store", () => {
  scopedLive("answers as through the store's Effect operations, on generated deliveries", () =>
    Effect.gen(function*() {
      const cases = deliverySequences(40, 17)
      for (const deliveries of cases) {
        const fast = yield* play(deliveries, undefined)
        const slow = yield* play(deliveries, { ...Dedupe.unsafeMakeMemory() })
        assert.deepStrictEqual(fast, slow, JSON.stringify(deliveries))
      }
    }).pipe(Effect.provide(fakeOpenPlatform()), withLogsTo(() => {})))
})
