import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted, Schedule, Stream } from "effect"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../layers/testing.js"
import { type DurationInput, intersectSchedules } from "../src/internal/dialect.js"
import { VERSION } from "../src/internal/version.js"
import * as Pagination from "../src/Pagination.js"
import { request } from "../src/Request.js"
import { MockHttp, type RecordedRequest, fail, ok, route } from "../src/testing/MockHttp.js"
import { fork } from "./dialect.js"
import { file, image, message, user } from "./fixtures/operations.js"

const TENANT_TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"

const sent = (path: string) =>
  Effect.map(MockHttp, (mock) => mock.requests).pipe(
    Effect.flatten,
    Effect.map((all) => all.filter((request) => request.path === path))
  )

const tokenRequests = sent(TENANT_TOKEN_PATH)

const sendHello = message.create({
  params: { receive_id_type: "chat_id" },
  data: { receive_id: "oc_1", msg_type: "text", content: JSON.stringify({ text: "hello" }) }
})

const messageCreated = route("POST", "/open-apis/im/v1/messages", () => ok({ message_id: "om_1" }))

describe("request executor", () => {
  it.effect("1,000 concurrent first calls make one token request", () =>
    Effect.gen(function*() {
      yield* Effect.all(Array.from({ length: 1000 }, () => sendHello), { concurrency: "unbounded" })
      assert.strictEqual((yield* tokenRequests).length, 1)
      const calls = yield* sent("/open-apis/im/v1/messages")
      assert.strictEqual(calls.length, 1000)
      assert.isTrue(calls.every((call) => call.headers.authorization === "Bearer t-mock-1"))
    }).pipe(Effect.provide(layerTest([messageCreated]))))

  it.effect("refreshes the token ahead of its expiry (under TestClock)", () =>
    Effect.gen(function*() {
      yield* sendHello
      yield* TestClock.adjust(Duration.seconds(7200 - 181)) // more than 3 minutes left: still cached
      yield* sendHello
      assert.strictEqual((yield* tokenRequests).length, 1)
      yield* TestClock.adjust(Duration.seconds(2)) // now less than 3 minutes left: refreshed
      yield* sendHello
      assert.strictEqual((yield* tokenRequests).length, 2)
      const calls = yield* sent("/open-apis/im/v1/messages")
      assert.deepStrictEqual(calls.map((c) => c.headers.authorization), ["Bearer t-mock-1", "Bearer t-mock-1", "Bearer t-mock-2"])
    }).pipe(Effect.provide(layerTest([messageCreated]))))

  it.effect("a rejected token is evicted and the call retried exactly once", () => {
    let answered = 0
    const rejectFirst = route("POST", "/open-apis/im/v1/messages", () =>
      ++answered === 1 ? fail(99991663, "Invalid access token for authorization.") : ok({ message_id: "om_2" }))
    return Effect.gen(function*() {
      const result = yield* sendHello
      assert.strictEqual(result.message_id, "om_2")
      const calls = yield* sent("/open-apis/im/v1/messages")
      assert.deepStrictEqual(calls.map((c) => c.headers.authorization), ["Bearer t-mock-1", "Bearer t-mock-2"])
      assert.strictEqual((yield* tokenRequests).length, 2)
    }).pipe(Effect.provide(layerTest([rejectFirst])))
  })

  it.effect("a token rejected twice fails after one retry", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(sendHello)
      assert.strictEqual(error._tag, "LarkApiError")
      assert.strictEqual(error._tag === "LarkApiError" && error.code, 99991663)
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 2)
    }).pipe(Effect.provide(layerTest([route("POST", "/open-apis/im/v1/messages", () => fail(99991663, "invalid"))]))))

  it.effect("a rate-limited call waits for x-ogw-ratelimit-reset, then goes through", () => {
    let answered = 0
    const limited = route("POST", "/open-apis/im/v1/messages", () =>
      ++answered === 1
        ? fail(99991400, "request trigger frequency limit", 429, { "x-ogw-ratelimit-reset": "10" })
        : ok({ message_id: "om_3" }))
    return Effect.gen(function*() {
      const fiber = yield* fork(sendHello)
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 1)
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.message_id, "om_3")
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 2)
    }).pipe(Effect.provide(layerTest([limited], { retrySchedule: intersectSchedules(Schedule.spaced("100 millis"), Schedule.recurs(3)) })))
  })

  it.effect("a POST answered 5xx is sent exactly once", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(sendHello)
      assert.strictEqual(error._tag, "LarkApiError")
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 1)
    }).pipe(Effect.provide(layerTest([route("POST", "/open-apis/im/v1/messages", () => fail(1, "internal error", 503))]))))

  it.effect("a GET answered 5xx is retried", () => {
    let answered = 0
    const flaky = route("GET", "/open-apis/contact/v3/users/find_by_department", () =>
      ++answered < 3 ? { status: 502, body: "<html>bad gateway</html>" } : ok({ has_more: false, items: [{ name: "a" }] }))
    return Effect.gen(function*() {
      const fiber = yield* fork(user.findByDepartment({ params: { department_id: "d1" } }))
      yield* TestClock.adjust("1 minute")
      const page = yield* Fiber.join(fiber)
      assert.strictEqual(page.items?.[0]?.name, "a")
      assert.strictEqual((yield* sent("/open-apis/contact/v3/users/find_by_department")).length, 3)
    }).pipe(Effect.provide(layerTest([flaky])))
  })

  it.effect("the timeout is per attempt: a slow GET is retried, a slow POST fails without a second send", () => {
    let gets = 0
    const slowOnce = route("GET", "/open-apis/contact/v3/users/find_by_department", () =>
      ++gets === 1 ? Effect.as(Effect.sleep("1 hour"), ok({})) : ok({ has_more: false, items: [] }))
    const slowPost = route("POST", "/open-apis/im/v1/messages", () => Effect.as(Effect.sleep("1 hour"), ok({})))
    return Effect.gen(function*() {
      const list = yield* fork(user.findByDepartment({ params: { department_id: "d1" } }))
      const post = yield* fork(Effect.flip(sendHello))
      yield* TestClock.adjust("5 seconds") // first attempts time out at 5 s
      yield* TestClock.adjust("5 seconds") // the GET's retry answers at once
      const page = yield* Fiber.join(list)
      assert.deepStrictEqual(page.items, [])
      const postError = yield* Fiber.join(post)
      assert.strictEqual(postError._tag === "LarkHttpError" && postError.reason, "Timeout")
      assert.strictEqual((yield* sent("/open-apis/contact/v3/users/find_by_department")).length, 2)
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 1)
    }).pipe(Effect.provide(layerTest([slowOnce, slowPost], { timeout: "5 seconds", retrySchedule: intersectSchedules(Schedule.spaced("1 second"), Schedule.recurs(2)) })))
  })

  it.effect("path parameters are URL-escaped", () =>
    Effect.gen(function*() {
      yield* file.get({ path: { file_key: "a/b c?d" } })
      const [call] = yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests)).pipe(
        Effect.map((all) => all.filter((r) => r.path.startsWith("/open-apis/im/v1/files/")))
      )
      assert.strictEqual(call!.url.pathname, "/open-apis/im/v1/files/a%2Fb%20c%3Fd")
    }).pipe(Effect.provide(layerTest([route("GET", "/open-apis/im/v1/files/:file_key", () => ({ body: new Uint8Array([1]) }))]))))

  it.effect("a missing path parameter fails before anything is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(file.get({ path: { file_key: "" } }))
      assert.strictEqual(error._tag, "LarkRequestError")
      assert.include(error.message, "file_key")
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
    }).pipe(Effect.provide(layerTest([]))))

  it.effect("a path parameter of . or .. fails before anything is sent: URL parsing would name another path", () =>
    Effect.gen(function*() {
      for (const fileKey of [".", ".."]) {
        const error = yield* Effect.flip(file.get({ path: { file_key: fileKey } }))
        assert.strictEqual(error._tag, "LarkRequestError")
        assert.include(error.message, "file_key")
      }
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
      // only whole dot segments are refused: other values with dots are sent, in their own segment
      for (const fileKey of ["...", ".a", "a..", "%2e%2e"]) yield* file.get({ path: { file_key: fileKey } })
      const paths = (yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests)))
        .map((request) => request.url.pathname)
        .filter((path) => path.startsWith("/open-apis/im/v1/files/"))
      assert.deepStrictEqual(paths, ["...", ".a", "a..", "%252e%252e"].map((segment) => `/open-apis/im/v1/files/${segment}`))
    }).pipe(Effect.provide(layerTest([route("GET", "/open-apis/im/v1/files/:file_key", () => ({ body: new Uint8Array([1]) }))]))))

  it.effect("a body JSON cannot hold (a bigint, a cycle), in JSON or in a multipart field, fails before anything is sent", () =>
    Effect.gen(function*() {
      const cyclic: Record<string, unknown> = {}
      cyclic["self"] = cyclic
      const bodies = [
        { body: "json" as const, data: { n: 1n } },
        { body: "json" as const, data: cyclic },
        { body: "multipart" as const, data: { meta: { n: 1n } } }
      ]
      for (const { body, data } of bodies) {
        const error = yield* Effect.flip(request({ method: "POST", url: "/open-apis/x", tokens: [], body, data }))
        assert.strictEqual(error._tag, "LarkRequestError")
        assert.include(error.message, "the body is not JSON")
      }
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
    }).pipe(Effect.provide(layerTest([]))))

  it.effect("a per-call timeout that is not a duration fails as a LarkRequestError before anything is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(message.create(
        { params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } },
        { timeout: "5 secs" as DurationInput }
      ))
      assert.strictEqual(error._tag, "LarkRequestError")
      assert.include(error.message, "5 secs")
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
    }).pipe(Effect.provide(layerTest([]))))

  it.effect("a payload that does not match its schema fails before anything is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(message.create({ params: { receive_id_type: "nope" as "chat_id" }, data: { receive_id: "x", msg_type: "text", content: "{}" } }))
      assert.strictEqual(error._tag, "LarkRequestError")
      assert.include(error.message, "receive_id_type")
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
    }).pipe(Effect.provide(layerTest([]))))

  it.effect("unknown response fields are kept; int64 stays a string", () =>
    Effect.gen(function*() {
      const result = yield* sendHello
      assert.deepStrictEqual(result as unknown, { message_id: "om_9", create_time: "1700000000000123456", brand_new_field: { x: 1 } })
    }).pipe(Effect.provide(layerTest([
      route("POST", "/open-apis/im/v1/messages", () => ok({ message_id: "om_9", create_time: "1700000000000123456", brand_new_field: { x: 1 } }))
    ]))))

  it.effect("an answer that does not match the schema is a LarkDecodeError with the raw body, not retried", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(sendHello)
      assert.strictEqual(error._tag, "LarkDecodeError")
      assert.include(error._tag === "LarkDecodeError" ? error.body : "", "\"message_id\":42")
      assert.strictEqual((yield* sent("/open-apis/im/v1/messages")).length, 1)
    }).pipe(Effect.provide(layerTest([route("POST", "/open-apis/im/v1/messages", () => ok({ message_id: 42 }))]))))

  it.effect("API errors carry code, msg, log id, status, troubleshooter and violations", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(sendHello)
      assert.strictEqual(error._tag, "LarkApiError")
      if (error._tag !== "LarkApiError") return
      assert.strictEqual(error.code, 99992402)
      assert.strictEqual(error.httpStatus, 400)
      assert.strictEqual(error.logId, "log-123")
      assert.strictEqual(error.troubleshooter, "see https://example.invalid/help")
      assert.deepStrictEqual(error.fieldViolations, [{ field: "receive_id", description: "bad" }])
    }).pipe(Effect.provide(layerTest([
      route("POST", "/open-apis/im/v1/messages", () => ({
        status: 400,
        headers: { "x-tt-logid": "log-123" },
        body: { code: 99992402, msg: "field validation failed", error: { troubleshooter: "see https://example.invalid/help", field_violations: [{ field: "receive_id", description: "bad" }] } }
      }))
    ]))))

  it.effect("the wire: query arrays repeat, booleans are true/false, no body on GET, JSON body on POST, User-Agent", () =>
    Effect.gen(function*() {
      yield* request({ method: "GET", url: "/open-apis/demo/v1/things", params: { ids: ["a", "b"], flag: true, off: false, n: 3, skip: undefined } })
      yield* sendHello
      const all = yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))
      const get = all.find((r) => r.path === "/open-apis/demo/v1/things")!
      assert.strictEqual(get.url.search, "?ids=a&ids=b&flag=true&off=false&n=3")
      assert.deepStrictEqual(get.body, { _tag: "None" })
      assert.strictEqual(get.headers["user-agent"], `lark-effect/${VERSION}`)
      const post = all.find((r) => r.path === "/open-apis/im/v1/messages")!
      assert.strictEqual(post.url.search, "?receive_id_type=chat_id")
      assert.strictEqual(post.headers["content-type"], "application/json; charset=utf-8")
      assert.deepStrictEqual(post.body, { _tag: "Json", value: { receive_id: "oc_1", msg_type: "text", content: "{\"text\":\"hello\"}" } })
    }).pipe(Effect.provide(layerTest([messageCreated, route("GET", "/open-apis/demo/v1/things", () => ok({}))]))))

  it.effect("an explicit token wins and no token is fetched", () =>
    Effect.gen(function*() {
      yield* message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { userAccessToken: "u-abc" })
      yield* message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { tenantAccessToken: "t-given" })
      const calls = yield* sent("/open-apis/im/v1/messages")
      assert.deepStrictEqual(calls.map((c) => c.headers.authorization), ["Bearer u-abc", "Bearer t-given"])
      assert.strictEqual((yield* tokenRequests).length, 0)
    }).pipe(Effect.provide(layerTest([messageCreated]))))

  it.effect("a user-only API without a user token fails with LarkTokenError and sends nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(request({ method: "GET", url: "/open-apis/authen/v1/user_info", tokens: ["user"] }))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.strictEqual((yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests))).length, 0)
    }).pipe(Effect.provide(layerTest([]))))

  it.effect("helpdesk calls carry X-Lark-Helpdesk-Authorization: Bearer base64(id:token)", () =>
    Effect.gen(function*() {
      yield* request({ method: "GET", url: "/open-apis/helpdesk/v1/tickets/:ticket_id", path: { ticket_id: "t1" } }, { helpdesk: true })
      const [call] = yield* sent("/open-apis/helpdesk/v1/tickets/t1")
      assert.strictEqual(call!.headers["x-lark-helpdesk-authorization"], `Bearer ${Buffer.from("hd_1:hd-token").toString("base64")}`)
      assert.strictEqual(call!.headers.authorization, "Bearer t-mock-1")
    }).pipe(Effect.provide(layerTest(
      [route("GET", "/open-apis/helpdesk/v1/tickets/:ticket_id", () => ok({}))],
      { helpdesk: { id: "hd_1", token: Redacted.make("hd-token") } }
    ))))

  it.effect("per-call headers are sent, set last", () =>
    Effect.gen(function*() {
      yield* message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { headers: { "x-custom": "1" } })
      const [call] = yield* sent("/open-apis/im/v1/messages")
      assert.strictEqual(call!.headers["x-custom"], "1")
    }).pipe(Effect.provide(layerTest([messageCreated]))))

  it.effect("a per-call header no HTTP stack would send fails the call before anything is sent", () =>
    Effect.gen(function*() {
      const hello = (headers: Record<string, string>) =>
        message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { headers })
      const refused: ReadonlyArray<Record<string, string>> = [{ "x-split": "a\r\nx-injected: 1" }, { "bad name": "1" }, { "x-wide": "名字" }]
      for (const headers of refused) {
        const error = yield* Effect.flip(hello(headers))
        assert.strictEqual(error._tag, "LarkRequestError")
      }
      assert.strictEqual((yield* (yield* MockHttp).requests).length, 0)
      yield* hello({ "x-fine": "tab\tand latin-1 é" })
    }).pipe(Effect.provide(layerTest([messageCreated]))))
})

describe("files", () => {
  const uploaded = (all: ReadonlyArray<RecordedRequest>) => all.filter((r) => r.path === "/open-apis/im/v1/images")
  const imageCreated = route("POST", "/open-apis/im/v1/images", () => ok({ image_key: "img_1" }))
  const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3])

  it.effect("uploads from bytes, a Blob, a web stream and an async iterable as multipart", () =>
    Effect.gen(function*() {
      const web = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, 3)); c.enqueue(bytes.slice(3)); c.close() } })
      async function* chunks() { yield bytes.slice(0, 2); yield bytes.slice(2) }
      for (const source of [bytes, new File([bytes], "logo.png"), web, chunks()]) {
        const result = yield* image.create({ data: { image_type: "message", image: source } })
        assert.strictEqual(result.image_key, "img_1")
      }
      const calls = uploaded(yield* Effect.flatten(Effect.map(MockHttp, (m) => m.requests)))
      assert.strictEqual(calls.length, 4)
      for (const call of calls) {
        assert.strictEqual(call.body._tag, "Multipart")
        if (call.body._tag !== "Multipart") continue
        assert.deepStrictEqual(call.body.fields, { image_type: "message" })
        assert.deepStrictEqual([...call.body.files.image!.bytes], [...bytes])
      }
      assert.strictEqual(calls[1]!.body._tag === "Multipart" && calls[1]!.body.files.image!.fileName, "logo.png")
    }).pipe(Effect.provide(layerTest([imageCreated]))))

  it.effect("a download returns the bytes and the UTF-8 file name", () =>
    Effect.gen(function*() {
      const downloaded = yield* file.get({ path: { file_key: "file_1" } })
      assert.strictEqual(downloaded.fileName, "季度报告 v2.pdf")
      assert.deepStrictEqual([...downloaded.bytes], [1, 2, 3])
    }).pipe(Effect.provide(layerTest([
      route("GET", "/open-apis/im/v1/files/:file_key", () => ({
        headers: {
          "content-type": "application/pdf",
          "content-disposition": `attachment; filename="report.pdf"; filename*=UTF-8''${encodeURIComponent("季度报告 v2.pdf")}`
        },
        body: new Uint8Array([1, 2, 3])
      }))
    ]))))

  it.effect("a JSON error on a download endpoint is a LarkApiError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(file.get({ path: { file_key: "nope" } }))
      assert.strictEqual(error._tag, "LarkApiError")
      assert.strictEqual(error._tag === "LarkApiError" && error.code, 234003)
    }).pipe(Effect.provide(layerTest([route("GET", "/open-apis/im/v1/files/:file_key", () => fail(234003, "File not in msg."))]))))
})

describe("pagination", () => {
  const pagesOf = (answers: ReadonlyArray<unknown>) => {
    let page = 0
    return route("GET", "/open-apis/contact/v3/users/find_by_department", () => ok(answers[page++]))
  }

  it.effect("streams every item and ends on an empty page token", () =>
    Effect.gen(function*() {
      const names = yield* Stream.runCollect(Pagination.items(user.findByDepartment, { params: { department_id: "d1", page_size: 2 } }))
      assert.deepStrictEqual([...names].map((u) => u.name), ["a", "b", "c"])
      const calls = yield* sent("/open-apis/contact/v3/users/find_by_department")
      assert.deepStrictEqual(calls.map((c) => c.query.page_token ?? []), [[], ["p2"]])
    }).pipe(Effect.provide(layerTest([pagesOf([
      { has_more: true, page_token: "p2", items: [{ name: "a" }, { name: "b" }] },
      { has_more: true, page_token: "", items: [{ name: "c" }] } // has_more lies; the empty token ends it
    ])]))))

  it.effect("follows the token alone where the API answers no has_more; items of a named list field", () =>
    Effect.gen(function*() {
      const entities = yield* Stream.runCollect(Pagination.items(
        (payload: { params: { page_token?: string } }) =>
          request<{ page_token?: string; entities?: ReadonlyArray<string> }>({ method: "GET", url: "/open-apis/baike/v1/entities", params: payload.params }),
        { params: {} },
        undefined,
        "entities"
      ))
      assert.deepStrictEqual([...entities], ["e1", "e2", "e3"])
    }).pipe(Effect.provide(layerTest([(() => {
      let page = 0
      const answers = [{ page_token: "p2", entities: ["e1", "e2"] }, { page_token: "", entities: ["e3"] }]
      return route("GET", "/open-apis/baike/v1/entities", () => ok(answers[page++]))
    })()]))))

  it.effect("never loops on a token the server already gave", () =>
    Effect.gen(function*() {
      const pages = yield* Stream.runCollect(Pagination.pages(user.findByDepartment, { params: { department_id: "d1" } }))
      assert.strictEqual(pages.length, 2)
    }).pipe(Effect.provide(layerTest([pagesOf([
      { has_more: true, page_token: "same", items: [] },
      { has_more: true, page_token: "same", items: [] },
      { has_more: true, page_token: "same", items: [] }
    ])]))))
})

