import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as FakeNode from "../../layers/testing.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { Answer, FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive } from "../dialect.js"

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

/** A request that got no answer to read (the connection dropped, say). */
interface SendFailed {
  readonly _tag: "SendFailed"
  readonly cause: unknown
}

const send = (url: string, init: RequestInit = {}) =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { ...init, signal })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) } as Reply
    },
    catch: (cause): SendFailed => ({ _tag: "SendFailed", cause })
  })

const postJson = (url: string, body: unknown, token?: string) =>
  send(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  })

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const tenantToken = (fake: FakeOpenPlatform.Service, appSecret = "fake_secret") =>
  Effect.map(
    postJson(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, { app_id: defaultApp.appId, app_secret: appSecret }),
    (reply) => reply.body.tenant_access_token as string
  )

const sendText = (fake: FakeOpenPlatform.Service, token: string) =>
  postJson(
    `${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`,
    { receive_id: "oc_1", msg_type: "text", content: JSON.stringify({ text: "hi" }) },
    token
  )

const upload = (fake: FakeOpenPlatform.Service, token: string, path: string, form: FormData) =>
  send(`${fake.url}${path}`, { method: "POST", headers: bearer(token), body: form })

const download = (url: string, token: string) =>
  Effect.tryPromise(async () => {
    const response = await fetch(url, { headers: bearer(token) })
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) }
  })

// One server shared by the suite; each test starts from `reset`. Live services: the server judges
// token expiry and `Answer.slow` with the real clock.
layer(FakeNode.fakeOpenPlatform(), { excludeTestServices: true })("FakeOpenPlatform", (it) => {
  const fresh = Effect.tap(FakeOpenPlatform, (fake) => fake.reset)

  it.effect("issues tenant tokens and accepts them on API routes", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const issued = yield* postJson(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, {
        app_id: defaultApp.appId,
        app_secret: "fake_secret"
      })
      assert.strictEqual(issued.status, 200)
      assert.strictEqual(issued.body.code, 0)
      assert.strictEqual(issued.body.expire, 7200)
      assert.match(issued.body.tenant_access_token, /^t-/)
      assert.isUndefined(issued.body.data) // token responses are flat

      const message = yield* sendText(fake, issued.body.tenant_access_token)
      assert.strictEqual(message.status, 200)
      assert.strictEqual(message.body.code, 0)
      assert.match(message.body.data.message_id, /^om_/)
      assert.strictEqual(message.body.data.chat_id, "oc_1")
      assert.match(message.body.data.create_time, /^\d+$/)
      assert.deepStrictEqual(message.body.data.sender, {
        id: defaultApp.appId,
        id_type: "app_id",
        sender_type: "app",
        tenant_key: ""
      })

      const other = yield* tenantToken(fake)
      assert.notStrictEqual(other, issued.body.tenant_access_token)
      const wrong = yield* postJson(`${fake.url}/open-apis/auth/v3/app_access_token/internal`, {
        app_id: defaultApp.appId,
        app_secret: "nope"
      })
      assert.deepStrictEqual(wrong.body, { code: 10014, msg: "app secret invalid" })
      assert.strictEqual(yield* fake.tokenFetches, 3)
    }))

  it.effect("rejects missing, unknown and revoked tokens", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const missing = yield* postJson(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, {})
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.body.code, 99991661)
      const unknown = yield* sendText(fake, "t-not-issued")
      assert.strictEqual(unknown.body.code, 99991663)

      const token = yield* tenantToken(fake)
      assert.strictEqual((yield* sendText(fake, token)).body.code, 0)
      yield* fake.expireTokens
      const revoked = yield* sendText(fake, token)
      assert.strictEqual(revoked.status, 400)
      assert.strictEqual(revoked.body.code, 99991663)
    }))

  it.effect("uses programmed answers in order, then resumes the default", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      yield* fake.program("post", "/open-apis/im/v1/messages", Answer.serverError(503), Answer.tokenInvalid())
      const first = yield* sendText(fake, token)
      const second = yield* sendText(fake, token)
      const third = yield* sendText(fake, token)
      assert.deepStrictEqual([first.status, second.status, third.status], [503, 400, 200])
      assert.deepStrictEqual([first.body.code, second.body.code, third.body.code], [503, 99991663, 0])
      const logIds = [first, second, third].map((reply) => reply.headers.get("x-tt-logid"))
      assert.strictEqual(new Set(logIds).size, 3)
      assert.isTrue(logIds.every((id) => typeof id === "string" && id.length > 0))
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length, 3)
    }))

  it.effect("rate-limited answers carry the gateway headers", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.rateLimited(7))
      const limited = yield* sendText(fake, token)
      assert.strictEqual(limited.status, 429)
      assert.deepStrictEqual(limited.body, { code: 99991400, msg: "request trigger frequency limit" })
      assert.strictEqual(limited.headers.get("x-ogw-ratelimit-reset"), "7")
      assert.isNotNull(limited.headers.get("x-ogw-ratelimit-limit"))
    }))

  it.effect("drop() closes the connection without a response", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.drop())
      const error = yield* Effect.flip(sendText(fake, token))
      assert.strictEqual(error._tag, "SendFailed")
      assert.strictEqual((yield* sendText(fake, token)).body.code, 0)
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/messages")).length, 2)
    }))

  it.effect("slow() delays the default answer", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.slow("5 seconds"))
      const timedOut = yield* Effect.timeoutOption(sendText(fake, token), "200 millis")
      assert.isTrue(Option.isNone(timedOut))
      assert.strictEqual((yield* sendText(fake, token)).body.code, 0)
    }))

  it.effect("multipart image upload records the parts and downloads the same bytes", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256)
      const form = new FormData()
      form.append("image_type", "message")
      form.append("image", new Blob([bytes], { type: "image/png" }), "pic.png")
      const uploaded = yield* upload(fake, token, "/open-apis/im/v1/images", form)
      assert.strictEqual(uploaded.body.code, 0)
      const imageKey: string = uploaded.body.data.image_key
      assert.match(imageKey, /^img_v3_/)

      const [call] = yield* fake.callsTo("POST", "/open-apis/im/v1/images")
      assert(call?.body._tag === "Multipart")
      assert.deepStrictEqual(call.body.fields, { image_type: "message" })
      assert.strictEqual(call.body.files["image"]?.fileName, "pic.png")
      assert.strictEqual(call.body.files["image"]?.contentType, "image/png")
      assert.strictEqual(call.body.files["image"]?.size, 300)
      assert.deepStrictEqual(call.body.files["image"]?.bytes, bytes)

      const got = yield* download(`${fake.url}/open-apis/im/v1/images/${imageKey}`, token)
      assert.strictEqual(got.response.status, 200)
      assert.deepStrictEqual(got.bytes, bytes)
      assert.strictEqual((yield* fake.callsTo("GET", "/open-apis/im/v1/images/:image_key")).length, 1)
    }))

  it.effect("file download sends a UTF-8 Content-Disposition; unknown keys get a JSON error", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const bytes = new TextEncoder().encode("%PDF-1.4 fake")
      const form = new FormData()
      form.append("file_type", "pdf")
      form.append("file_name", "报告 ü.pdf")
      form.append("file", new Blob([bytes]), "ignored.bin")
      const fileKey: string = (yield* upload(fake, token, "/open-apis/im/v1/files", form)).body.data.file_key
      assert.match(fileKey, /^file_v3_/)

      const got = yield* download(`${fake.url}/open-apis/im/v1/files/${fileKey}`, token)
      assert.strictEqual(got.response.headers.get("content-type"), "application/octet-stream")
      assert.strictEqual(
        got.response.headers.get("content-disposition"),
        `attachment; filename="__ _.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%C3%BC.pdf`
      )
      assert.deepStrictEqual(got.bytes, bytes)

      const missing = yield* send(`${fake.url}/open-apis/im/v1/files/file_v3_nope`, { headers: bearer(token) })
      assert.strictEqual(missing.status, 400)
      assert.deepStrictEqual(missing.body, { code: 234003, msg: "File not in msg." })
    }))

  it.effect("find_by_department pages over the seeded users and ends with an empty token", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const pages: Array<any> = []
      let pageToken = ""
      do {
        const query = `department_id=od_1&page_size=2${pageToken === "" ? "" : `&page_token=${pageToken}`}`
        const page = yield* send(`${fake.url}/open-apis/contact/v3/users/find_by_department?${query}`, {
          headers: bearer(token)
        })
        assert.strictEqual(page.body.code, 0)
        pages.push(page.body.data)
        pageToken = page.body.data.page_token
      } while (pages.at(-1).has_more && pages.length < 10)
      assert.deepStrictEqual(pages.map((page) => page.items.length), [2, 2, 1])
      assert.deepStrictEqual(pages.at(-1), { ...pages.at(-1), has_more: false, page_token: "" })
      const users = pages.flatMap((page) => page.items)
      assert.strictEqual(new Set(users.map((user) => user.open_id)).size, 5)
      assert.deepStrictEqual(Object.keys(users[0]).sort(), ["department_ids", "name", "open_id", "user_id"])
      assert.deepStrictEqual(users[0].department_ids, ["od_1"])
    }))

  it.effect("records repeated query keys and lower-cased headers", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      yield* send(`${fake.url}/open-apis/contact/v3/users/find_by_department?department_id=od_1&x=a&x=b`, {
        headers: { ...bearer(token), "X-Custom-Header": "Yes" }
      })
      const [call] = yield* fake.callsTo("GET", "/open-apis/contact/v3/users/find_by_department")
      assert.deepStrictEqual(call?.query, { department_id: ["od_1"], x: ["a", "b"] })
      assert.strictEqual(call?.headers["x-custom-header"], "Yes")
      assert.strictEqual(call?.headers["authorization"], `Bearer ${token}`)
      assert.deepStrictEqual(call?.body, { _tag: "None" })
      const [tokenCall] = yield* fake.callsTo("POST", "/open-apis/auth/v3/tenant_access_token/internal")
      assert.deepStrictEqual(tokenCall?.body, { _tag: "Json", value: { app_id: defaultApp.appId, app_secret: "fake_secret" } })
      assert.strictEqual((yield* fake.calls).length, 2)
    }))

  it.effect("message content must fit msg_type; image and file keys must be uploads of that kind", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const message = (msgType: string, content: string) =>
        postJson(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, { receive_id: "oc_1", msg_type: msgType, content }, token)
      const form = new FormData()
      form.append("image_type", "message")
      form.append("image", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "p.png")
      const imageKey: string = (yield* upload(fake, token, "/open-apis/im/v1/images", form)).body.data.image_key
      const fileForm = new FormData()
      fileForm.append("file_type", "stream")
      fileForm.append("file_name", "a.txt")
      fileForm.append("file", new Blob([new Uint8Array([4])]), "a.txt")
      const fileKey: string = (yield* upload(fake, token, "/open-apis/im/v1/files", fileForm)).body.data.file_key

      const accepted = [
        yield* message("image", JSON.stringify({ image_key: imageKey })),
        yield* message("file", JSON.stringify({ file_key: fileKey })),
        yield* message("post", JSON.stringify({ zh_cn: { title: "t", content: [] } })) // a post is its locale map
      ]
      assert.deepStrictEqual(accepted.map((reply) => [reply.status, reply.body.code]), [[200, 0], [200, 0], [200, 0]])
      assert.strictEqual(accepted[0]!.body.data.msg_type, "image")
      assert.strictEqual(accepted[0]!.body.data.body.content, JSON.stringify({ image_key: imageKey }))

      const rejected = [
        yield* message("text", "not json"),
        yield* message("text", JSON.stringify({ txt: "typo" })),
        yield* message("image", JSON.stringify({ image_key: "img_v3_never_uploaded" })),
        yield* message("image", JSON.stringify({ image_key: fileKey })), // a file key is not an image key
        yield* message("file", JSON.stringify({ file_key: imageKey })),
        yield* message("file", JSON.stringify({}))
      ]
      assert.deepStrictEqual(rejected.map((reply) => [reply.status, reply.body.code]), Array(6).fill([400, 230001]))
      assert.deepStrictEqual(rejected.map((reply) => reply.body.msg), [
        "invalid message content: content must be a JSON object",
        "invalid message content: text is required",
        "invalid message content: image_key img_v3_never_uploaded was not uploaded as an image",
        `invalid message content: image_key ${fileKey} was not uploaded as an image`,
        `invalid message content: file_key ${imageKey} was not uploaded as a file`,
        "invalid message content: file_key is required"
      ])
    }))

  it.effect("Base: creates apps with a default table, adds tables one by one and in batches", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const created = yield* postJson(`${fake.url}/open-apis/bitable/v1/apps`, { name: "Plan", folder_token: "fld_1" }, token)
      assert.strictEqual(created.status, 200)
      assert.strictEqual(created.body.code, 0)
      const app = created.body.data.app
      assert.deepStrictEqual(Object.keys(app).sort(), ["app_token", "default_table_id", "folder_token", "name", "url"])
      assert.match(app.app_token, /^bascn/)
      assert.strictEqual(app.name, "Plan")
      assert.strictEqual(app.folder_token, "fld_1")
      assert.strictEqual(app.url, `https://fake.feishu.invalid/base/${app.app_token}`)
      assert.isTrue(created.headers.get("x-tt-logid") !== null)

      const tables = `${fake.url}/open-apis/bitable/v1/apps/${app.app_token}/tables`
      const one = yield* postJson(tables, {
        table: { name: "Tasks", default_view_name: "All", fields: [{ field_name: "Task", type: 1 }, { field_name: "Done", type: 7 }] }
      }, token)
      assert.strictEqual(one.body.code, 0)
      assert.match(one.body.data.table_id, /^tbl/)
      assert.match(one.body.data.default_view_id, /^vew/)
      assert.strictEqual(one.body.data.field_id_list.length, 2)
      const batch = yield* postJson(`${tables}/batch_create`, { tables: [{ name: "A" }, {}] }, token)
      assert.strictEqual(batch.body.code, 0)
      assert.strictEqual(batch.body.data.table_ids.length, 2)

      const base = (yield* fake.bases).find((base) => base.appToken === app.app_token)
      assert(base !== undefined)
      assert.strictEqual(base.name, "Plan")
      assert.strictEqual(base.folderToken, "fld_1")
      assert.isUndefined(base.timeZone)
      assert.deepStrictEqual(base.tables.map((table) => table.tableId), [
        app.default_table_id,
        one.body.data.table_id,
        ...batch.body.data.table_ids
      ])
      // unnamed tables are numbered by position; a table without fields gets a primary text field
      assert.deepStrictEqual(base.tables.map((table) => table.name), ["Table 1", "Tasks", "A", "Table 4"])
      const tasks = base.tables[1]!
      assert.strictEqual(tasks.defaultViewName, "All")
      assert.strictEqual(tasks.defaultViewId, one.body.data.default_view_id)
      assert.deepStrictEqual(tasks.fields.map((field) => [field.fieldId, field.fieldName, field.type]), [
        [one.body.data.field_id_list[0], "Task", 1],
        [one.body.data.field_id_list[1], "Done", 7]
      ])
      assert.deepStrictEqual(base.tables[3]!.fields.map((field) => [field.fieldName, field.type]), [["Text", 1]])

      // a Base with nothing but defaults
      const bare = yield* postJson(`${fake.url}/open-apis/bitable/v1/apps`, {}, token)
      assert.strictEqual(bare.body.data.app.name, "Untitled Base")
      assert.notStrictEqual(bare.body.data.app.app_token, app.app_token)
      assert.isTrue((yield* fake.bases).length >= 2)
    }))

  it.effect("Base: unknown app tokens get BaseTokenNotFound; bad tables get field violations; tokens are checked", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const missing = yield* postJson(`${fake.url}/open-apis/bitable/v1/apps/bascn_nope/tables`, { table: { name: "T" } }, token)
      assert.strictEqual(missing.status, 200) // a non-zero code on HTTP 200
      assert.deepStrictEqual(missing.body, { code: 1254040, msg: "BaseTokenNotFound" })
      const missingBatch = yield* postJson(`${fake.url}/open-apis/bitable/v1/apps/bascn_nope/tables/batch_create`, { tables: [{}] }, token)
      assert.strictEqual(missingBatch.body.code, 1254040)

      const appToken: string = (yield* postJson(`${fake.url}/open-apis/bitable/v1/apps`, { name: "V" }, token)).body.data.app.app_token
      const tables = `${fake.url}/open-apis/bitable/v1/apps/${appToken}/tables`
      const violation = (reply: Reply) => [reply.status, reply.body.code, reply.body.error?.field_violations?.[0]?.field]
      assert.deepStrictEqual(violation(yield* postJson(tables, { table: { fields: [{ type: 1 }] } }, token)), [
        400,
        99992402,
        "table.fields[0].field_name"
      ])
      assert.deepStrictEqual(violation(yield* postJson(tables, { table: { fields: [{ field_name: "x", type: "text" }] } }, token)), [
        400,
        99992402,
        "table.fields[0].type"
      ])
      assert.deepStrictEqual(violation(yield* postJson(tables, { table: { name: 3 } }, token)), [400, 99992402, "table.name"])
      assert.deepStrictEqual(violation(yield* postJson(`${tables}/batch_create`, { tables: [] }, token)), [400, 99992402, "tables"])
      assert.deepStrictEqual(violation(yield* postJson(`${tables}/batch_create`, { tables: [{ name: "ok" }, "no"] }, token)), [
        400,
        99992402,
        "tables[1]"
      ])
      // nothing was added by the rejected requests
      const base = (yield* fake.bases).find((base) => base.appToken === appToken)
      assert.deepStrictEqual(base?.tables.map((table) => table.name), ["Table 1"])

      const anonymous = yield* postJson(`${fake.url}/open-apis/bitable/v1/apps`, { name: "X" })
      assert.strictEqual(anonymous.body.code, 99991661)
    }))

  it.effect("validates receive_id_type and answers 404 for unknown routes", () =>
    Effect.gen(function*() {
      const fake = yield* fresh
      const token = yield* tenantToken(fake)
      const invalid = yield* postJson(`${fake.url}/open-apis/im/v1/messages`, { receive_id: "oc_1" }, token)
      assert.strictEqual(invalid.status, 400)
      assert.strictEqual(invalid.body.code, 99992402)
      assert.strictEqual(invalid.body.error.field_violations[0].field, "receive_id_type")
      const unknown = yield* send(`${fake.url}/open-apis/nope/v1/things`, { headers: bearer(token) })
      assert.strictEqual(unknown.status, 404)
      assert.deepStrictEqual(unknown.body, { code: 404, msg: "404 page not found" })
    }))
})

describe("FakeOpenPlatform options", () => {
  scopedLive("tokens expire after their lifetime, which can be changed", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const shortLived = yield* tenantToken(fake)
      assert.strictEqual((yield* sendText(fake, shortLived)).body.code, 0)
      yield* fake.setTokenExpireSeconds(60)
      const longLived = yield* tenantToken(fake)
      yield* Effect.sleep("1100 millis")
      assert.strictEqual((yield* sendText(fake, shortLived)).body.code, 99991663)
      assert.strictEqual((yield* sendText(fake, longLived)).body.code, 0)
    }).pipe(Effect.provide(FakeNode.fakeOpenPlatform({ tokenExpireSeconds: 1 }))))

  scopedLive("marketplace apps need a known app_ticket and get per-tenant tokens", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const credentials = { app_id: "cli_isv", app_secret: "isv_secret" }
      const auth = `${fake.url}/open-apis/auth/v3`
      const badTicket = yield* postJson(`${auth}/app_access_token`, { ...credentials, app_ticket: "stale" })
      assert.deepStrictEqual(badTicket.body, { code: 10012, msg: "app_ticket invalid" })

      const app = yield* postJson(`${auth}/app_access_token`, { ...credentials, app_ticket: "ticket_1" })
      assert.strictEqual(app.body.code, 0)
      assert.match(app.body.app_access_token, /^a-/)
      const tenant = yield* postJson(`${auth}/tenant_access_token`, {
        app_access_token: app.body.app_access_token,
        tenant_key: "tk_1"
      })
      assert.match(tenant.body.tenant_access_token, /^t-/)
      const message = yield* sendText(fake, tenant.body.tenant_access_token)
      assert.strictEqual(message.body.data.sender.tenant_key, "tk_1")

      const resend = yield* postJson(`${auth}/app_ticket/resend`, credentials)
      assert.deepStrictEqual(resend.body, { code: 0, msg: "ok" })
      assert.strictEqual(yield* fake.tokenFetches, 3)
    }).pipe(Effect.provide(FakeNode.fakeOpenPlatform({
      apps: [{ appId: "cli_isv", appSecret: "isv_secret" }],
      appTickets: ["ticket_1"]
    }))))
})
