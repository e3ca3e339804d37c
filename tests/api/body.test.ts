/**
 * Which calls carry a body, as node-sdk sends them: JSON (`data`, or `{}` without it) on every method, and on
 * a GET only when its API takes a body or a raw request is given `data`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerTest } from "../../layers/testing.js"
import { approval } from "../../src/api/approval/index.js"
import { contact } from "../../src/api/contact/index.js"
import { im } from "../../src/api/im/index.js"
import { request } from "../../src/Request.js"
import { MockHttp, ok, route } from "../../src/testing/MockHttp.js"

const lastSent = Effect.map(Effect.flatten(Effect.map(MockHttp, (mock) => mock.requests)), (all) => all[all.length - 1]!)

const json = (value: unknown) => ({ _tag: "Json" as const, value })

describe("request bodies", () => {
  it.effect("a DELETE API that takes a body sends it", () =>
    Effect.gen(function*() {
      yield* contact.v3.user.delete({ path: { user_id: "ou_1" }, data: { department_chat_acceptor_user_id: "ou_2" } })
      const sent = yield* lastSent
      assert.strictEqual(sent.method, "DELETE")
      assert.strictEqual(sent.headers["content-type"], "application/json; charset=utf-8")
      assert.deepStrictEqual(sent.body, json({ department_chat_acceptor_user_id: "ou_2" }))
    }).pipe(Effect.provide(layerTest([route("DELETE", "/open-apis/contact/v3/users/:user_id", () => ok({}))]))))

  it.effect("a GET API that takes a body sends it, and `{}` without data", () =>
    Effect.gen(function*() {
      yield* approval.v4.externalTask.list({ data: { approval_codes: ["code"] } })
      assert.deepStrictEqual((yield* lastSent).body, json({ approval_codes: ["code"] }))
      yield* approval.v4.externalTask.list()
      assert.deepStrictEqual((yield* lastSent).body, json({}))
    }).pipe(Effect.provide(layerTest([route("GET", "/open-apis/approval/v4/external_tasks", () => ok({}))]))))

  it.effect("POST, PATCH and DELETE without data send `{}` as JSON; a GET without a body sends none", () =>
    Effect.gen(function*() {
      yield* approval.v4.approval.subscribe({ path: { approval_code: "code" } })
      assert.deepStrictEqual((yield* lastSent).body, json({}))
      yield* im.v1.chatMembers.meJoin({ path: { chat_id: "oc_1" } })
      assert.deepStrictEqual((yield* lastSent).body, json({}))
      yield* im.v1.message.delete({ path: { message_id: "om_1" } })
      assert.deepStrictEqual((yield* lastSent).body, json({}))
      yield* im.v1.message.get({ path: { message_id: "om_1" } })
      assert.deepStrictEqual((yield* lastSent).body, { _tag: "None" })
    }).pipe(Effect.provide(layerTest([
      route("POST", "/open-apis/approval/v4/approvals/:approval_code/subscribe", () => ok({})),
      route("PATCH", "/open-apis/im/v1/chats/:chat_id/members/me_join", () => ok({})),
      route("DELETE", "/open-apis/im/v1/messages/:message_id", () => ok({})),
      route("GET", "/open-apis/im/v1/messages/:message_id", () => ok({}))
    ]))))

  it.effect("a raw GET sends its data, and no body without", () =>
    Effect.gen(function*() {
      yield* request({ method: "GET", url: "/open-apis/demo/v1/things", data: { a: 1 } })
      assert.deepStrictEqual((yield* lastSent).body, json({ a: 1 }))
      yield* request({ method: "GET", url: "/open-apis/demo/v1/things" })
      assert.deepStrictEqual((yield* lastSent).body, { _tag: "None" })
      yield* request({ method: "PUT", url: "/open-apis/demo/v1/things" })
      assert.deepStrictEqual((yield* lastSent).body, json({}))
    }).pipe(Effect.provide(layerTest([
      route("GET", "/open-apis/demo/v1/things", () => ok({})),
      route("PUT", "/open-apis/demo/v1/things", () => ok({}))
    ]))))
})
