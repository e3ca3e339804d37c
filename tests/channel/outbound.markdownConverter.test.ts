/**
 * The markdown converter hook on the wire (MockHttp): it replaces the built-in `md` node of markdown sent
 * as a post, gets each chunk of a long text, leaves card-style markdown alone, and a converter that
 * throws fails the send as `format_error` before anything is sent. Set on a channel, it applies to its sends.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { layerTest } from "../../layers/testing.js"
import { Channel } from "../../src/channel/Channel.js"
import type { MarkdownConverter } from "../../src/channel/content.js"
import * as Outbound from "../../src/channel/Outbound.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { scoped, withLogsTo } from "../dialect.js"

const CREATE = "/open-apis/im/v1/messages"

const routes = () => {
  let n = 0
  return [
    MockHttp.route("POST", CREATE, () => MockHttp.ok({ message_id: `om_${++n}` })),
    MockHttp.route("GET", "/open-apis/bot/v3/info", () => ({ body: { code: 0, msg: "ok", bot: { open_id: "ou_bot", app_name: "Bot" } } }))
  ]
}

const sentContents = Effect.map(
  Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests),
  (all) =>
    all.filter((r) => r.path === CREATE).map((r) => {
      const body = (r.body._tag === "Json" ? r.body.value : {}) as Record<string, unknown>
      return [body["msg_type"], JSON.parse(body["content"] as string)] as const
    })
)

/** A converter that renders each line as a plain text paragraph, in English. */
const asTextLines: MarkdownConverter = (markdown) => ({
  en_us: { title: "converted", content: markdown.split("\n").map((line) => [{ tag: "text", text: line }]) }
})

describe("markdown converter hook", () => {
  it.effect("markdown sent as a post goes out as the converter's post, one call per chunk", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const converter: MarkdownConverter = (markdown) => {
        seen.push(markdown)
        return asTextLines(markdown)
      }
      yield* Outbound.send("oc_chat", { markdown: "first line\nsecond line" }, { chunkLimit: 12, markdownConverter: converter })
      assert.deepStrictEqual(seen, ["first line", "second line"])
      assert.deepStrictEqual(yield* sentContents, [
        ["post", { en_us: { title: "converted", content: [[{ tag: "text", text: "first line" }]] } }],
        ["post", { en_us: { title: "converted", content: [[{ tag: "text", text: "second line" }]] } }]
      ])
    }).pipe(Effect.provide(layerTest(routes()))))

  it.effect("card-style markdown keeps its card; without a converter a post has the built-in md node", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_chat", { markdown: "| a |", style: "card" }, { markdownConverter: asTextLines })
      yield* Outbound.send("oc_chat", "**b**")
      const [card, post] = yield* sentContents
      assert.strictEqual(card![0], "interactive")
      assert.deepStrictEqual(post, ["post", { zh_cn: { content: [[{ tag: "md", text: "**b**" }]] } }])
    }).pipe(Effect.provide(layerTest(routes()))))

  it.effect("a converter that throws fails the send with format_error and sends nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_chat", "**x**", {
        markdownConverter: () => {
          throw new Error("no tables here")
        }
      }))
      assert.strictEqual(error.code, "format_error")
      assert.include(error.detail, "no tables here")
      assert.deepStrictEqual(yield* sentContents, [])
    }).pipe(Effect.provide(layerTest(routes()))))

  scoped("a channel's markdownConverter applies to its sends and replies", () =>
    Effect.gen(function*() {
      const channel = yield* Channel.make({ transport: "webhook", markdownConverter: asTextLines })
      yield* channel.send("oc_chat", "hello")
      const [[msgType, content]] = yield* sentContents
      assert.strictEqual(msgType, "post")
      assert.deepStrictEqual(content, asTextLines("hello"))
    }).pipe(Effect.provide(layerTest(routes())), withLogsTo(() => {})))
})
