/**
 * The fake Open Platform refuses what the platform refuses: a token of a kind the route does not take, a
 * message whose content does not fit its msg_type, an edit of anything but text or post, uploads of an
 * unknown type, without a name, empty or too large; and it sends one message per (app, `uuid`).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FakeNode from "../../layers/testing.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { acceptedTokens } from "../../src/testing/routeTokens.js"
import { catalog, catalogPresent, skipReason } from "../api/catalog.js"

const app = { appId: "cli_strict", appSecret: "strict_secret" }
const otherApp = { appId: "cli_strict_other", appSecret: "other_secret" }

interface Reply {
  readonly status: number
  readonly body: any
}

const call = (url: string, method: string, token: string | undefined, body?: BodyInit, headers: Record<string, string> = {}) =>
  Effect.tryPromise(async (signal): Promise<Reply> => {
    const response = await fetch(url, {
      method,
      signal,
      headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      ...(body === undefined ? {} : { body })
    })
    return { status: response.status, body: await response.json() }
  })

const callJson = (url: string, method: string, token: string | undefined, body: unknown) =>
  call(url, method, token, JSON.stringify(body), { "content-type": "application/json" })

const tokenOf = (kind: "tenant" | "app", credentials = app) =>
  Effect.flatMap(FakeOpenPlatform, (fake) =>
    Effect.map(
      callJson(`${fake.url}/open-apis/auth/v3/${kind}_access_token/internal`, "POST", undefined, {
        app_id: credentials.appId,
        app_secret: credentials.appSecret
      }),
      (reply) => reply.body[`${kind}_access_token`] as string
    ))

/** The body of a message create or reply; a `uuid` only when given. */
const message = (msgType: string, content: unknown, uuid?: string) => ({
  msg_type: msgType,
  content: JSON.stringify(content),
  ...(uuid === undefined ? {} : { uuid })
})

const create = (fake: FakeOpenPlatform.Service, token: string, body: ReturnType<typeof message>) =>
  callJson(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, "POST", token, { receive_id: "oc_1", ...body })

const reply = (fake: FakeOpenPlatform.Service, token: string, body: ReturnType<typeof message>) =>
  callJson(`${fake.url}/open-apis/im/v1/messages/om_parent/reply`, "POST", token, body)

/** `[status, code]` of each reply. */
const codes = (replies: ReadonlyArray<Reply>) => replies.map((reply) => [reply.status, reply.body.code])

const IMAGE_TYPES = ["message", "avatar"]
const FILE_TYPES = ["opus", "mp4", "pdf", "doc", "xls", "ppt", "stream"]
const MB = 1024 * 1024

describe("the fake's rules are the catalog's", () => {
  const apis = Object.values(catalog?.services ?? {}).flatMap((versions) => Object.values(versions).flatMap((version) => version.apis))
  const apiAt = (route: string) => apis.find((api) => `${api.http_method} ${api.path}` === route)

  it.skipIf(!catalogPresent)(`each route takes the catalog's access_tokens${skipReason}`, () => {
    const notInCatalog: Array<string> = []
    for (const [route, kinds] of Object.entries(acceptedTokens)) {
      const api = apiAt(route)
      if (api === undefined) notInCatalog.push(route)
      else assert.deepStrictEqual([...kinds].sort(), [...api.access_tokens ?? []].sort(), route)
    }
    assert.deepStrictEqual(notInCatalog, ["GET /open-apis/bot/v3/info"], "only the bot's identity is not in the catalog")
  })

  it.skipIf(!catalogPresent)(`the upload types tested below are the catalog's enums${skipReason}`, () => {
    const enumOf = (route: string, field: string) => {
      const type = apiAt(route)?.request_body?.fields.find((f) => f.name === field)?.type
      return type?.type === "string" ? type.enum : undefined
    }
    assert.deepStrictEqual(enumOf("POST /open-apis/im/v1/images", "image_type"), IMAGE_TYPES)
    assert.deepStrictEqual(enumOf("POST /open-apis/im/v1/files", "file_type"), FILE_TYPES)
  })
})

layer(FakeNode.fakeOpenPlatform({ apps: [app, otherApp] }), { excludeTestServices: true })("FakeOpenPlatform strictness", (it) => {
  it.effect("every route refuses an app token with 99991663 and takes a tenant token", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const appToken = yield* tokenOf("app")
      const tenantToken = yield* tokenOf("tenant")
      const routes = Object.keys(acceptedTokens).map((route) => {
        const [method, path] = route.split(" ") as [string, string]
        return { method, url: `${fake.url}${path.replace(/:\w+/g, "x_1")}` }
      })
      const send = (token: string) =>
        Effect.forEach(routes, ({ method, url }) => method === "GET" ? call(url, method, token) : callJson(url, method, token, {}))

      assert.deepStrictEqual(codes(yield* send(appToken)), routes.map(() => [400, 99991663]))
      const withTenant = codes(yield* send(tenantToken))
      assert.deepStrictEqual(withTenant.filter(([status, code]) => status === 404 || code === 99991663), [])

      assert.deepStrictEqual(codes([yield* create(fake, appToken, message("text", { text: "hi" }))]), [[400, 99991663]])
    }))

  it.effect("create and reply refuse unknown msg_types and content of the wrong shape with 230001", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tokenOf("tenant")
      const send = (msgType: string, content: unknown) =>
        Effect.all([create(fake, token, message(msgType, content)), reply(fake, token, message(msgType, content))])
      const paragraphs = [[{ tag: "text", text: "a" }], [{ tag: "md", text: "**b**" }]]

      const accepted = [
        yield* send("post", { zh_cn: { title: "t", content: paragraphs }, en_us: { content: [] } }),
        yield* send("audio", { file_key: "file_v3_audio" }),
        yield* send("media", { file_key: "file_v3_video", image_key: "img_v3_cover" }),
        yield* send("share_chat", { chat_id: "oc_2" }),
        yield* send("share_user", { user_id: "ou_2" }),
        yield* send("sticker", { file_key: "file_v3_sticker" })
      ].flat()
      assert.deepStrictEqual(codes(accepted), accepted.map(() => [200, 0]))

      const refused = [
        yield* send("markdown", { text: "no such type" }),
        yield* send("post", { post: { zh_cn: { title: "t", content: paragraphs } } }), // the outer wrapper (spec B5)
        yield* send("post", {}),
        yield* send("post", { zh_cn: "text" }),
        yield* send("post", { zh_cn: { title: "no content" } }),
        yield* send("post", { zh_cn: { content: [{ tag: "text", text: "not in a paragraph" }] } }),
        yield* send("post", { zh_cn: { title: 7, content: [] } }),
        yield* send("audio", {}),
        yield* send("media", { file_key: 7 }),
        yield* send("share_chat", { user_id: "ou_2" }),
        yield* send("share_user", { user_id: "" }),
        yield* send("sticker", { image_key: "img_v3_1" })
      ].flat()
      assert.deepStrictEqual(codes(refused), refused.map(() => [400, 230001]))
      assert.deepStrictEqual(refused.slice(0, 4).map((reply) => reply.body.msg), [
        "invalid message content: unknown msg_type markdown",
        "invalid message content: unknown msg_type markdown",
        "invalid message content: a post is its locale map, without an outer post wrapper",
        "invalid message content: a post is its locale map, without an outer post wrapper"
      ])
    }))

  it.effect("uploads: the catalog's types only, a file needs file_name, nothing empty, images up to 10 MB, files up to 30 MB", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tokenOf("tenant")
      const image = (type: string, bytes: number) => {
        const form = new FormData()
        form.append("image_type", type)
        form.append("image", new Blob([new Uint8Array(bytes)], { type: "image/png" }), "p.png")
        return call(`${fake.url}/open-apis/im/v1/images`, "POST", token, form)
      }
      const file = (type: string, bytes: number, named = true) => {
        const form = new FormData()
        form.append("file_type", type)
        if (named) form.append("file_name", "a.bin")
        form.append("file", new Blob([new Uint8Array(bytes)]), "part.bin")
        return call(`${fake.url}/open-apis/im/v1/files`, "POST", token, form)
      }
      const violated = (reply: Reply) => [reply.status, reply.body.code, reply.body.error?.field_violations?.[0]?.field]

      const accepted = [
        ...yield* Effect.forEach(IMAGE_TYPES, (type) => image(type, 1)),
        ...yield* Effect.forEach(FILE_TYPES, (type) => file(type, 1)),
        yield* image("message", 10 * MB),
        yield* file("stream", 30 * MB)
      ]
      assert.deepStrictEqual(codes(accepted), accepted.map(() => [200, 0]))

      assert.deepStrictEqual(violated(yield* image("gif", 1)), [400, 99992402, "image_type"])
      assert.deepStrictEqual(violated(yield* file("txt", 1)), [400, 99992402, "file_type"])
      assert.deepStrictEqual(violated(yield* file("stream", 1, false)), [400, 99992402, "file_name"])
      assert.deepStrictEqual(violated(yield* image("message", 0)), [400, 99992402, "image"])
      assert.deepStrictEqual(violated(yield* file("stream", 0)), [400, 99992402, "file"])
      assert.deepStrictEqual(violated(yield* image("message", 10 * MB + 1)), [400, 99992402, "image"])
      assert.deepStrictEqual(violated(yield* file("stream", 30 * MB + 1)), [400, 99992402, "file"])
    }), { timeout: 60_000 })

  it.effect("an edit (PUT) takes text and post only, checked like a new message's content", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tokenOf("tenant")
      const edit = (msgType: string, content: unknown) =>
        callJson(`${fake.url}/open-apis/im/v1/messages/om_edited`, "PUT", token, { msg_type: msgType, content: JSON.stringify(content) })
      const before = (yield* fake.channel.edits).length

      const accepted = [
        yield* edit("text", { text: "new text" }),
        yield* edit("post", { zh_cn: { title: "t", content: [[{ tag: "text", text: "new" }]] } })
      ]
      assert.deepStrictEqual(codes(accepted), [[200, 0], [200, 0]])

      const refused = [
        yield* edit("interactive", { elements: [{ tag: "markdown", content: "cards are patched" }] }),
        yield* edit("image", { image_key: "img_v3_1" }),
        yield* edit("markdown", { text: "no such type" }),
        yield* edit("text", { txt: "typo" }),
        yield* edit("post", { post: { zh_cn: { content: [] } } })
      ]
      assert.deepStrictEqual(codes(refused), refused.map(() => [400, 230001]))
      const recorded = (yield* fake.channel.edits).slice(before)
      assert.deepStrictEqual(recorded.map((e) => e.msgType), ["text", "post"], "refused edits are not recorded")
    }))

  it.effect("one message per (app, uuid): a repeat answers the first message, a refused request leaves its uuid free", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const token = yield* tokenOf("tenant")
      const text = (body: string, uuid?: string) => message("text", { text: body }, uuid)
      const idOf = (answer: Reply) => answer.body.data?.message_id as string

      const first = yield* create(fake, token, text("first", "uuid-create"))
      assert.strictEqual(first.body.code, 0)
      assert.deepStrictEqual((yield* create(fake, token, text("second", "uuid-create"))).body, first.body, "the first message's answer")
      const firstReply = yield* reply(fake, token, text("r1", "uuid-reply"))
      assert.deepStrictEqual((yield* reply(fake, token, text("r2", "uuid-reply"))).body, firstReply.body)

      const others = [
        yield* create(fake, yield* tokenOf("tenant", otherApp), text("x", "uuid-create")),
        yield* create(fake, token, text("x")),
        yield* create(fake, token, text("x"))
      ]
      const ids = new Set([idOf(first), idOf(firstReply), ...others.map(idOf)])
      assert.strictEqual(ids.size, 5, "another app's uuid and no uuid send new messages")

      assert.strictEqual((yield* create(fake, token, message("text", { txt: "typo" }, "uuid-fixed"))).body.code, 230001)
      const fixed = yield* create(fake, token, text("fixed", "uuid-fixed"))
      assert.strictEqual(fixed.body.code, 0)
      assert.strictEqual(fixed.body.data.body.content, JSON.stringify({ text: "fixed" }))
    }))
})
