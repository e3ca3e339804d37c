/**
 * The examples, run in this process against the fake Open Platform (loopback only), checked by what the
 * platform recorded and what they printed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as BaseApp from "../examples/base-app.js"
import * as Demo from "../examples/demo.js"
import * as DepartmentUsers from "../examples/department-users.js"
import * as Run from "../examples/run.js"
import * as SendFile from "../examples/send-file.js"
import * as SendImage from "../examples/send-image.js"
import * as SendText from "../examples/send-text.js"
import { fakeOpenPlatform } from "../layers/testing.js"
import { defaultApp } from "../src/testing/fakeApps.js"
import { Answer, FakeOpenPlatform, type RecordedCall } from "../src/testing/FakeOpenPlatform.js"
import { scopedLive, withMinimumLogLevel, withVariables } from "./dialect.js"
import { captured } from "./fixtures/console.js"

/** The JSON body of a recorded call. */
const jsonOf = (call: RecordedCall | undefined): any => {
  assert(call?.body._tag === "Json", `expected a JSON body, got ${call?.body._tag}`)
  return call.body.value
}

const multipartOf = (call: RecordedCall | undefined) => {
  assert(call?.body._tag === "Multipart", `expected a multipart body, got ${call?.body._tag}`)
  return call.body
}

const messages = (fake: FakeOpenPlatform.Service) => fake.callsTo("POST", "/open-apis/im/v1/messages")

/** Nothing the fake app authenticates with, and no token it was issued, shows up in `text`. */
const assertNoSecrets = (fake: FakeOpenPlatform.Service, text: string) =>
  Effect.gen(function*() {
    assert.notInclude(text, "fake_secret")
    for (const call of yield* fake.calls) {
      const token = /^Bearer (\S+)$/.exec(call.headers.authorization ?? "")?.[1]
      if (token !== undefined) assert.notInclude(text, token)
    }
  })

describe("examples on the fake Open Platform", () => {
  scopedLive("send-text sends one text message to the configured chat", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(SendText.example))
      const [call, ...more] = yield* messages(fake)
      assert.strictEqual(more.length, 0)
      assert.deepStrictEqual(call?.query, { receive_id_type: ["chat_id"] })
      assert.deepStrictEqual(jsonOf(call), {
        receive_id: "oc_demo_chat",
        msg_type: "text",
        content: JSON.stringify({ text: "hello from lark-effect" })
      })
      assert.match(result.message_id ?? "", /^om_/)
      assert.strictEqual(result.chat_id, "oc_demo_chat")
      assert.include(output, `sent text message ${result.message_id} to chat oc_demo_chat`)
      assert.include(output, "on the built-in fake Open Platform")
      assert.include(output, "LARK_DEMO_RECEIVE_ID ")
      assert.include(output, "what the platform received:")
      assert.include(output, "token fetches: 1")
      yield* assertNoSecrets(fake, output)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("settings set in the environment win over the fake values", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      yield* captured(Run.runOnFake(SendText.example, {
        LARK_DEMO_TEXT: "bonjour",
        LARK_DEMO_RECEIVE_ID: "ou_someone",
        LARK_DEMO_RECEIVE_ID_TYPE: "open_id"
      }))
      const [call] = yield* messages(fake)
      assert.deepStrictEqual(call?.query, { receive_id_type: ["open_id"] })
      assert.deepStrictEqual(jsonOf(call), { receive_id: "ou_someone", msg_type: "text", content: JSON.stringify({ text: "bonjour" }) })
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("send-image uploads the PNG, then sends its image_key as an image message", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(SendImage.example))
      const [upload, ...moreUploads] = yield* fake.callsTo("POST", "/open-apis/im/v1/images")
      assert.strictEqual(moreUploads.length, 0)
      const form = multipartOf(upload)
      assert.deepStrictEqual(form.fields, { image_type: "message" })
      assert.strictEqual(form.files["image"]?.fileName, "pixel.png")
      assert.strictEqual(form.files["image"]?.contentType, "image/png")
      assert.deepStrictEqual(form.files["image"]?.bytes, SendImage.PIXEL)

      const [message, ...moreMessages] = yield* messages(fake)
      assert.strictEqual(moreMessages.length, 0)
      assert.match(result.imageKey, /^img_v3_/)
      assert.deepStrictEqual(jsonOf(message), {
        receive_id: "oc_demo_chat",
        msg_type: "image",
        content: JSON.stringify({ image_key: result.imageKey })
      })
      // the upload came before the message that names it
      const calls = yield* fake.calls
      assert.isBelow(calls.indexOf(upload!), calls.indexOf(message!))
      assert.include(output, `uploaded image pixel.png (${SendImage.PIXEL.length} bytes) as ${result.imageKey}`)
      assert.include(output, `sent image message ${result.message.message_id}`)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("send-file uploads notes.txt as a stream file, then sends its file_key as a file message", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(SendFile.example))
      const [upload] = yield* fake.callsTo("POST", "/open-apis/im/v1/files")
      const form = multipartOf(upload)
      assert.deepStrictEqual(form.fields, { file_type: "stream", file_name: "notes.txt" })
      assert.deepStrictEqual(form.files["file"]?.bytes, SendFile.NOTES)

      const [message, ...more] = yield* messages(fake)
      assert.strictEqual(more.length, 0)
      assert.match(result.fileKey, /^file_v3_/)
      assert.deepStrictEqual(jsonOf(message), {
        receive_id: "oc_demo_chat",
        msg_type: "file",
        content: JSON.stringify({ file_key: result.fileKey })
      })
      assert.include(output, `uploaded notes.txt (${SendFile.NOTES.length} bytes, file_type stream) as ${result.fileKey}`)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("send-file streams a file from disk, its file_type taken from the extension", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "lark-effect-examples-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256)
      const path = join(dir, "Quarterly report.PDF")
      yield* Effect.promise(() => writeFile(path, bytes))

      const { result } = yield* captured(Run.runOnFake(SendFile.example, { LARK_DEMO_FILE: path }))
      const form = multipartOf((yield* fake.callsTo("POST", "/open-apis/im/v1/files"))[0])
      assert.deepStrictEqual(form.fields, { file_type: "pdf", file_name: "Quarterly report.PDF" })
      assert.deepStrictEqual(form.files["file"]?.bytes, bytes)
      assert.strictEqual(result.fileType, "pdf")

      const missing = yield* Effect.flip(captured(Run.runOnFake(SendFile.example, { LARK_DEMO_FILE: join(dir, "nope.pdf") })))
      assert.strictEqual(missing._tag, "ExampleSetupError")
      assert.include(missing.message, "LARK_DEMO_FILE: cannot read")
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/files")).length, 1)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  it("file types follow the extension", () => {
    assert.deepStrictEqual(
      ["a.pdf", "b.DOCX", "c.xls", "d.pptx", "e.mp4", "f.opus", "g.txt", "noext"].map(SendFile.fileTypeOf),
      ["pdf", "doc", "xls", "ppt", "mp4", "opus", "stream", "stream"]
    )
  })

  scopedLive("department-users follows page_token through every page and lists every user once", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(DepartmentUsers.example))
      const pages = yield* fake.callsTo("GET", "/open-apis/contact/v3/users/find_by_department")
      assert.deepStrictEqual(pages.map((call) => call.query.page_token?.[0]), [undefined, "page_2", "page_4"])
      for (const call of pages) {
        assert.deepStrictEqual(call.query.page_size, ["2"])
        assert.deepStrictEqual(call.query.department_id, ["od_demo"])
        assert.deepStrictEqual(call.query.department_id_type, ["open_department_id"])
        assert.deepStrictEqual(call.query.user_id_type, ["open_id"])
      }
      assert.deepStrictEqual(result.map((user) => user.open_id), [0, 1, 2, 3, 4].map((i) => `ou_fake000${i}`))
      assert.include(output, "ou_fake0004  Fake User 4")
      assert.include(output, "5 users")
    }).pipe(Effect.provide(fakeOpenPlatform(DepartmentUsers.example.fake))))

  scopedLive("department-users: a page size from the environment, and a bad one stops before any call", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { result } = yield* captured(Run.runOnFake(DepartmentUsers.example, { LARK_DEMO_PAGE_SIZE: "50" }))
      assert.strictEqual(result.length, 5)
      assert.strictEqual((yield* fake.callsTo("GET", "/open-apis/contact/v3/users/find_by_department")).length, 1)

      yield* fake.reset
      const error = yield* Effect.flip(captured(Run.runOnFake(DepartmentUsers.example, { LARK_DEMO_PAGE_SIZE: "51" })))
      assert.strictEqual(error._tag, "ExampleSetupError")
      assert.strictEqual(error.message, `LARK_DEMO_PAGE_SIZE is "51": it must be a whole number from 1 to 50`)
      assert.strictEqual((yield* fake.calls).length, 0)
    }).pipe(Effect.provide(fakeOpenPlatform(DepartmentUsers.example.fake))))

  scopedLive("base-app creates a Base, a Tasks table with typed fields, then two tables in one batch", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { output, result } = yield* captured(Run.runOnFake(BaseApp.example))
      const [base, ...others] = yield* fake.bases
      assert.strictEqual(others.length, 0)
      assert(base !== undefined)
      assert.strictEqual(base.name, "lark-effect example")
      assert.isUndefined(base.folderToken)
      assert.strictEqual(base.appToken, result.appToken)
      assert.deepStrictEqual(jsonOf((yield* fake.callsTo("POST", "/open-apis/bitable/v1/apps"))[0]), { name: "lark-effect example" })

      assert.deepStrictEqual(base.tables.map((table) => table.name), ["Table 1", "Tasks", "People", "Milestones"])
      assert.strictEqual(base.tables[0]!.tableId, result.app.default_table_id)
      const tasks = base.tables[1]!
      assert.strictEqual(tasks.tableId, result.tasks.table_id)
      assert.strictEqual(tasks.defaultViewId, result.tasks.default_view_id)
      assert.strictEqual(tasks.defaultViewName, "All tasks")
      assert.deepStrictEqual(tasks.fields.map((field) => field.fieldId), result.tasks.field_id_list)
      assert.deepStrictEqual(tasks.fields.map((field) => [field.fieldName, field.type]), [
        ["Task", 1],
        ["Status", 3],
        ["Estimate (h)", 2],
        ["Due", 5],
        ["Urgent", 7]
      ])
      const [create] = yield* fake.callsTo("POST", "/open-apis/bitable/v1/apps/:app_token/tables")
      assert.strictEqual(create?.path, `/open-apis/bitable/v1/apps/${result.appToken}/tables`)
      assert.deepStrictEqual(jsonOf(create).table.fields[1].property, { options: [{ name: "To do" }, { name: "Doing" }, { name: "Done" }] })
      assert.deepStrictEqual(result.tableIds, base.tables.slice(2).map((table) => table.tableId))
      assert.deepStrictEqual(jsonOf((yield* fake.callsTo("POST", "/open-apis/bitable/v1/apps/:app_token/tables/batch_create"))[0]), {
        tables: [{ name: "People" }, { name: "Milestones" }]
      })
      assert.include(output, `created Base "lark-effect example" ${result.appToken}`)
      assert.include(output, `created tables People and Milestones: ${result.tableIds.join(", ")}`)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("base-app passes the folder token and name from the environment", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      yield* captured(Run.runOnFake(BaseApp.example, { LARK_DEMO_BASE_NAME: "Roadmap", LARK_DEMO_FOLDER_TOKEN: "fldcn_1" }))
      const [base] = yield* fake.bases
      assert.strictEqual(base?.name, "Roadmap")
      assert.strictEqual(base?.folderToken, "fldcn_1")
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("demo sends a text message, then an image", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const { result } = yield* captured(Run.runOnFake(Demo.example))
      const sent = (yield* messages(fake)).map(jsonOf)
      assert.deepStrictEqual(sent.map((body) => body.msg_type), ["text", "image"])
      assert.strictEqual(sent[1].content, JSON.stringify({ image_key: result.image.imageKey }))
      assert.strictEqual((yield* fake.callsTo("POST", "/open-apis/im/v1/images")).length, 1)
      assert.strictEqual(yield* fake.tokenFetches, 1)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  it.live("npm run demo on the fake platform: the messages, then the channel echo bot's conversation", () =>
    Effect.gen(function*() {
      // what the demo prints, without the SDK's info logs (Effect 4's default logger prints through Console too)
      const { output, result } = yield* captured(Demo.onFake).pipe(withMinimumLogLevel("Warning"))
      assert.match(result.sent.text.message_id ?? "", /^om_/)
      assert.include(output, "Alice: @Fake Bot hello\nbot: echo: hello")
      assert.include(output, "bot (answering the click): {\"toast\":{\"type\":\"success\"")
      assert.notInclude(output, "fake_secret")
    }))

  scopedLive("a platform error fails the example with its code and field violations", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      yield* fake.program(
        "POST",
        "/open-apis/im/v1/messages",
        Answer.json(400, {
          code: 99992402,
          msg: "field validation failed",
          error: { field_violations: [{ field: "receive_id", description: "chat not found" }] }
        })
      )
      const error = yield* Effect.flip(captured(Run.runOnFake(SendText.example)))
      assert.strictEqual(error._tag, "LarkApiError")
      const described = Run.describeError(error)
      assert.include(described, "im.v1.message.create failed with code 99992402: field validation failed")
      assert.include(described, "field receive_id: chat not found")
      assert.match(described, /log id fakelog\d+/)
    }).pipe(Effect.provide(fakeOpenPlatform())))
})

describe("examples on the real platform (the fake one, reached through LarkLive and the environment)", () => {
  /** `env` as the process environment, for `LarkLive`'s config and for the example's settings. */
  const withEnv = <A, E, R>(env: Record<string, string>, effect: (env: Record<string, string>) => Effect.Effect<A, E, R>) =>
    withVariables(env)(effect(env))

  scopedLive("reads the app, the domain and the settings from the environment", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const env = {
        LARK_APP_ID: defaultApp.appId,
        LARK_APP_SECRET: "fake_secret",
        LARK_DOMAIN: fake.url,
        LARK_DEMO_RECEIVE_ID: "ou_real",
        LARK_DEMO_RECEIVE_ID_TYPE: "open_id"
      }
      assert.strictEqual(yield* Run.platformOf(env), "real")
      const { output } = yield* captured(withEnv(env, (env) => Run.runOnReal(SendText.example, env)))
      assert.include(output, `send-text: sends a text message, on the real Open Platform (${fake.url}) as ${defaultApp.appId}`)
      assert.notInclude(output, "what the platform received")
      const [call] = yield* messages(fake)
      assert.deepStrictEqual(call?.query, { receive_id_type: ["open_id"] })
      assert.strictEqual(jsonOf(call).receive_id, "ou_real")
    }).pipe(Effect.provide(fakeOpenPlatform())))

  scopedLive("a missing setting stops the example before any call, naming the variable", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const env = { LARK_APP_ID: defaultApp.appId, LARK_APP_SECRET: "fake_secret", LARK_DOMAIN: fake.url, LARK_DEMO_RECEIVE_ID: "" }
      const error = yield* Effect.flip(captured(withEnv(env, (env) => Run.runOnReal(SendImage.example, env))))
      assert.strictEqual(error._tag, "ExampleSetupError")
      assert.include(error.message, "to run send-image on the real platform, set:")
      assert.include(error.message, "LARK_DEMO_RECEIVE_ID")
      assert.include(error.message, "the chat (or user) to send to (required)")
      assert.notInclude(error.message, "LARK_DEMO_IMAGE") // it has a default
      assert.strictEqual((yield* fake.calls).length, 0)
    }).pipe(Effect.provide(fakeOpenPlatform())))

  it.effect("the platform follows the credentials; half of them is an error", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Run.platformOf({}), "fake")
      assert.strictEqual(yield* Run.platformOf({ LARK_APP_ID: "", LARK_APP_SECRET: "" }), "fake")
      const half = yield* Effect.flip(Run.platformOf({ LARK_APP_SECRET: "s" }))
      assert.strictEqual(
        half.message,
        "LARK_APP_SECRET is set but LARK_APP_ID is not: set both to use the real platform, or neither to use the built-in fake one"
      )
    }))

  it("importing an example does not run it: only the script node started is main", () => {
    assert.isFalse(Run.isMain(new URL("../examples/send-text.ts", import.meta.url).href))
    assert.isTrue(Run.isMain(pathToFileURL(process.argv[1]!).href))
    assert.isFalse(process.exitCode !== undefined && process.exitCode !== 0)
  })
})
