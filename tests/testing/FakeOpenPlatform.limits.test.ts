/**
 * The fake Open Platform refuses what the platform refuses: message content over its size limit (230025)
 * and CardKit element text that is empty or over 30,000 characters.
 */
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FakeNode from "../../layers/testing.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"

const app = { appId: "cli_limits", appSecret: "limits_secret" }

const call = (url: string, method: string, body: unknown, token?: string) =>
  Effect.tryPromise(async (signal) => {
    const response = await fetch(url, {
      method,
      signal,
      headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: await response.json() as any }
  })

const tenantToken = Effect.flatMap(FakeOpenPlatform, (fake) =>
  Effect.map(
    call(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, "POST", { app_id: app.appId, app_secret: app.appSecret }),
    (reply) => reply.body.tenant_access_token as string
  ))

const bytesOf = (text: string) => new TextEncoder().encode(text).length

/** `make(filler)` with a filler (mostly 3-byte "中") that makes it exactly `bytes` UTF-8 bytes long. */
const sized = (make: (filler: string) => string, bytes: number) => {
  const room = bytes - bytesOf(make(""))
  return make("中".repeat(Math.floor(room / 3)) + "a".repeat(room % 3))
}

layer(FakeNode.fakeOpenPlatform({ apps: [app] }), { excludeTestServices: true })("FakeOpenPlatform limits", (it) => {
  it.effect("message content over its size limit answers 230025: text 150 KB, post and interactive 30 KB", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tenantToken
      const message = (msgType: string, content: string) =>
        call(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, "POST", { receive_id: "oc_1", msg_type: msgType, content }, token)
      const reply = (msgType: string, content: string) =>
        call(`${fake.url}/open-apis/im/v1/messages/om_q/reply`, "POST", { msg_type: msgType, content }, token)
      const text = (bytes: number) => sized((filler) => JSON.stringify({ text: filler }), bytes)
      const post = (bytes: number) => sized((filler) => JSON.stringify({ zh_cn: { title: filler, content: [] } }), bytes)
      const card = (bytes: number) => sized((filler) => JSON.stringify({ elements: [{ tag: "markdown", content: filler }] }), bytes)
      const KB = 1024
      assert.deepStrictEqual([text(150 * KB + 1), post(30 * KB), card(30 * KB + 1)].map(bytesOf), [150 * KB + 1, 30 * KB, 30 * KB + 1])

      const fitting = [
        yield* message("text", text(150 * KB)),
        yield* reply("text", text(150 * KB)),
        yield* message("post", post(30 * KB)),
        yield* message("interactive", card(30 * KB))
      ]
      assert.deepStrictEqual(fitting.map((r) => r.body.code), [0, 0, 0, 0])
      const tooLong = [
        yield* message("text", text(150 * KB + 1)),
        yield* reply("text", text(150 * KB + 1)),
        yield* message("post", post(30 * KB + 1)),
        yield* message("interactive", card(30 * KB + 1)),
        yield* call(`${fake.url}/open-apis/im/v1/messages/om_q`, "PUT", { msg_type: "text", content: text(150 * KB + 1) }, token)
      ]
      assert.deepStrictEqual(tooLong.map((r) => [r.status, r.body.code]), Array(5).fill([400, 230025]))
      assert.deepStrictEqual(yield* fake.channel.edits, [], "a refused edit is not recorded")
    }))

  it.effect("CardKit element text has 1 to 30,000 characters: 230099 (card error 11310) over it, a field violation when empty", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tenantToken
      const cardJson = (content: string) =>
        JSON.stringify({
          schema: "2.0",
          config: { streaming_mode: true },
          body: { elements: [{ tag: "markdown", element_id: "md", content }] }
        })
      const create = (content: string) =>
        call(`${fake.url}/open-apis/cardkit/v1/cards`, "POST", { type: "card_json", data: cardJson(content) }, token)
      const write = (cardId: string, content: string, sequence: number) =>
        call(`${fake.url}/open-apis/cardkit/v1/cards/${cardId}/elements/md/content`, "PUT", { content, sequence }, token)
      // characters are code points: 30,000 emoji are 60,000 UTF-16 units and still fit
      const full = "😀".repeat(30_000)

      const overLong = yield* create("a".repeat(30_001))
      assert.deepStrictEqual([overLong.status, overLong.body.code], [400, 230099])
      assert.include(overLong.body.msg, "ErrCode: 11310")
      const empty = yield* create("")
      assert.deepStrictEqual([empty.status, empty.body.code, empty.body.error.field_violations[0].field], [400, 99992402, "data"])
      const created = yield* create(full)
      assert.strictEqual(created.body.code, 0)
      const cardId: string = created.body.data.card_id

      const tooLong = yield* write(cardId, `${full}!`, 1)
      assert.deepStrictEqual([tooLong.status, tooLong.body.code], [400, 230099])
      const blank = yield* write(cardId, "", 2)
      assert.deepStrictEqual([blank.status, blank.body.code, blank.body.error.field_violations[0].field], [400, 99992402, "content"])
      const fits = yield* write(cardId, "a".repeat(30_000), 3)
      assert.strictEqual(fits.body.code, 0)
      const card = (yield* fake.channel.cards).find((c) => c.cardId === cardId)
      assert.deepStrictEqual(card!.contentUpdates.map((u) => u.content.length), [30_000], "refused writes are not recorded")
    }))
})
