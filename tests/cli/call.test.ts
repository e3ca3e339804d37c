/**
 * `lark-effect call` in-process against the fake Open Platform on loopback: the app comes from the
 * environment (a `ConfigProvider` here), the answer is printed as JSON, failures with what identifies them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as WsLayer from "../../layers/ws.js"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { closeMatches } from "../../src/cli/apis.js"
import { parseCommandLine } from "../../src/cli/args.js"
import { getFailure, isFailure, succeed } from "../../src/internal/dialect.js"
import { run } from "../../src/cli/run.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import * as FakeOpenPlatform from "../../src/testing/FakeOpenPlatform.js"
import { scopedLive, withVariables } from "../dialect.js"
import { capture } from "./capture.js"

const usageError = (...argv: Array<string>) => {
  const result = parseCommandLine(argv)
  return isFailure(result) ? getFailure(result).message : undefined
}

describe("lark-effect call: the command line", () => {
  it("takes the name, JSON payload parts, files, tokens and output", () => {
    assert.deepStrictEqual(
      parseCommandLine([
        "call", "im.v1.message.reply",
        "--path", `{"message_id":"om_1"}`,
        "--params", `{"uuid":"u1"}`,
        "--data", `{"msg_type":"text"}`,
        "--file", "image=./a b.png",
        "--user-token", "u-token",
        "--tenant-key", "t1",
        "--output", "out.json",
        "--pretty"
      ]),
      succeed({
        _tag: "Call",
        api: "im.v1.message.reply",
        path: { message_id: "om_1" },
        params: { uuid: "u1" },
        data: { msg_type: "text" },
        files: [{ field: "image", path: "./a b.png" }],
        userAccessToken: "u-token",
        tenantKey: "t1",
        output: "out.json",
        pretty: true
      })
    )
  })

  it("names the flag with bad JSON, and refuses what cannot be a payload", () => {
    assert.match(usageError("call", "im.v1.message.create", "--data", "{receive_id:1}")!, /^--data is not valid JSON: /)
    assert.match(usageError("call", "x.y.z", "--params", "[1]")!, /^--params must be a JSON object/)
    assert.match(usageError("call", "x.y.z", "--path", `{"id":{}}`)!, /^--path values must be strings or numbers/)
    assert.match(usageError("call", "x.y.z", "--file", "cat.png")!, /^--file needs <field>=<path>/)
    assert.match(usageError("call", "x.y.z", "--data", "[]", "--file", "f=a")!, /--data must be a JSON object/)
    assert.match(usageError("call")!, /needs the API name/)
    assert.match(usageError("call", "a.b.c", "d.e.f")!, /one API name expected/)
    assert.match(usageError("call", "a.b.c", "--dat", "{}")!, /Unknown option '--dat'/)
  })

  it("suggests the methods of a resource, or the nearest names", () => {
    const names = ["im.v1.message.create", "im.v1.message.reply", "im.v1.chat.create", "im.message.create"]
    assert.deepStrictEqual(closeMatches("im.v1.message", names), ["im.v1.message.create", "im.v1.message.reply"])
    assert.deepStrictEqual(closeMatches("im.v1.mesage.creat", names), ["im.v1.message.create"])
    assert.deepStrictEqual(closeMatches("drive.v1.file.upload", names), [])
  })
})

/** The environment `call` reads, pointing at the fake. */
const environment = (url: string, extra: Record<string, string> = {}) =>
  withVariables({
    LARK_APP_ID: defaultApp.appId,
    LARK_APP_SECRET: defaultApp.appSecret,
    LARK_DOMAIN: url,
    ...extra
  })

/** Runs the command line against the fake; answers the exit code, what was printed and the requests. */
const cli = (argv: ReadonlyArray<string>, env?: Record<string, string>) =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenPlatform.FakeOpenPlatform
    const printed = capture()
    const code = yield* run(argv, printed.output).pipe(environment(fake.url, env))
    // nothing the command prints may hold the app secret or a token
    assert.notInclude(printed.text(), defaultApp.appSecret)
    assert.notInclude(printed.text(), "t-fake")
    return { code, ...printed, calls: yield* fake.calls }
  })

const apiCalls = (calls: ReadonlyArray<FakeOpenPlatform.RecordedCall>) => calls.filter((c) => !c.path.startsWith("/open-apis/auth/"))

const wiring = Layer.mergeAll(fakeOpenPlatform(), FetchHttpClient.layer, NodeFileSystem.layer, WsLayer.layer)

const tempPath = (name: string) => join(mkdtempSync(join(tmpdir(), "lark-effect-call-")), name)

describe("lark-effect call against the fake Open Platform", () => {
  scopedLive("sends the payload with the app's token and prints the answer's data as one JSON line", () =>
    Effect.gen(function*() {
      const { calls, code, lines } = yield* cli([
        "call", "im.v1.message.create",
        "--params", `{"receive_id_type":"chat_id"}`,
        "--data", `{"receive_id":"oc_1","msg_type":"text","content":"{\\"text\\":\\"hi\\"}"}`
      ])
      assert.strictEqual(code, 0)
      assert.strictEqual(lines.length, 1)
      const answer = JSON.parse(lines[0]!)
      assert.match(answer.message_id, /^om_fake/)
      assert.strictEqual(answer.chat_id, "oc_1")
      const [sent] = apiCalls(calls)
      assert.deepStrictEqual(sent?.query, { receive_id_type: ["chat_id"] })
      assert.deepStrictEqual(sent?.body, { _tag: "Json", value: { receive_id: "oc_1", msg_type: "text", content: `{"text":"hi"}` } })
      assert.match(sent!.headers["authorization"]!, /^Bearer /)
    }).pipe(Effect.provide(wiring)))

  scopedLive("version-less and snake_case names reach the same APIs; --pretty indents", () =>
    Effect.gen(function*() {
      const versionless = yield* cli(["call", "im.message.create", "--params", `{"receive_id_type":"open_id"}`, "--data", `{"receive_id":"ou_1","msg_type":"text","content":"{\\"text\\":\\"hi\\"}"}`])
      assert.strictEqual(versionless.code, 0)
      assert.strictEqual(JSON.parse(versionless.lines[0]!).chat_id, "oc_p2p_ou_1")
      const snake = yield* cli(["call", "contact.v3.user.find_by_department", "--params", `{"department_id":"od_1","page_size":2}`, "--pretty"])
      assert.strictEqual(snake.code, 0)
      assert.include(snake.lines[0]!, "\n  \"has_more\": true")
      assert.strictEqual(JSON.parse(snake.lines[0]!).items.length, 2)
      assert.deepStrictEqual(apiCalls(snake.calls).at(-1)?.query, { department_id: ["od_1"], page_size: ["2"] })
    }).pipe(Effect.provide(wiring)))

  scopedLive("an API error: exit 1, its code, msg, log id and troubleshooter link on standard error", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform.FakeOpenPlatform
      yield* fake.program("POST", "/open-apis/im/v1/messages", FakeOpenPlatform.Answer.json(400, {
        code: 230002,
        msg: "Bot/User can NOT be out of the chat.",
        error: { troubleshooter: "https://open.feishu.cn/search?log_id=fakelog" }
      }))
      const { code, lines } = yield* cli(["call", "im.v1.message.create", "--params", `{"receive_id_type":"chat_id"}`, "--data", `{"receive_id":"oc_1","msg_type":"text","content":"{}"}`])
      assert.strictEqual(code, 1)
      const logId = /log id: +(\S+)/.exec(lines.join("\n"))?.[1]
      assert.match(logId!, /^fakelog\d+$/)
      assert.deepStrictEqual(lines, [
        "ERR im.v1.message.create failed (HTTP 400)",
        "ERR   code:           230002",
        "ERR   msg:            Bot/User can NOT be out of the chat.",
        // the fake's X-Tt-Logid header
        `ERR   log id:         ${logId}`,
        "ERR   troubleshooter: https://open.feishu.cn/search?log_id=fakelog"
      ])
    }).pipe(Effect.provide(wiring)))

  scopedLive("an unknown name is a usage error with close matches, and nothing is sent", () =>
    Effect.gen(function*() {
      const typo = yield* cli(["call", "im.v1.mesage.create"])
      assert.strictEqual(typo.code, 2)
      assert.match(typo.lines[0]!, /^ERR lark-effect: unknown API "im.v1.mesage.create"; did you mean im\.v1\.message\.create/)
      assert.include(typo.lines[0]!, `Run "lark-effect call --help"`)
      const resource = yield* cli(["call", "im.v1.message"])
      assert.include(resource.lines[0]!, "im.v1.message.create, im.v1.message.delete")
      const service = yield* cli(["call", "imm.v1.message.create"])
      assert.match(service.lines[0]!, /unknown service "imm"; did you mean im\b/)
      // only a generated service's own module is ever loaded
      for (const name of ["../../package.v1.x.y", "constructor.v1.x.y", "im.__proto__.x", "im.v1.message.create_"]) {
        const refused = yield* cli(["call", name])
        assert.strictEqual(refused.code, 2, name)
      }
      const stream = yield* cli(["call", "contact.v3.user.findByDepartmentStream"])
      assert.include(stream.lines[0]!, "did you mean contact.v3.user.findByDepartment")
      const pages = yield* cli(["call", "contact.v3.user.findByDepartmentPages"])
      assert.include(pages.lines[0]!, "did you mean contact.v3.user.findByDepartment")
      assert.deepStrictEqual(typo.calls, [])
    }).pipe(Effect.provide(wiring)))

  scopedLive("a bad payload is refused before sending; missing configuration names the variable", () =>
    Effect.gen(function*() {
      const bad = yield* cli(["call", "im.v1.message.create", "--data", `{"receive_id":1}`])
      assert.strictEqual(bad.code, 1)
      assert.match(bad.lines[0]!, /^ERR im\.v1\.message\.create: invalid request/)
      const unset = yield* cli(["call", "im.v1.message.create"], { LARK_APP_ID: "" })
      assert.strictEqual(unset.code, 1)
      assert.match(unset.lines[0]!, /LARK_APP_ID/)
      assert.deepStrictEqual(apiCalls(unset.calls), [])
    }).pipe(Effect.provide(wiring)))

  scopedLive("uploads a --file and saves a downloaded file to --output; a file answer without --output is refused", () =>
    Effect.gen(function*() {
      const source = tempPath("report.pdf")
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)
      writeFileSync(source, bytes)
      const uploaded = yield* cli(["call", "im.v1.file.create", "--data", `{"file_type":"pdf","file_name":"report.pdf"}`, "--file", `file=${source}`])
      assert.strictEqual(uploaded.code, 0)
      const fileKey: string = JSON.parse(uploaded.lines[0]!).file_key
      const sent = apiCalls(uploaded.calls).at(-1)!.body
      assert.strictEqual(sent._tag, "Multipart")
      assert.deepStrictEqual(sent._tag === "Multipart" && sent.files["file"]?.bytes, bytes)

      const target = tempPath("copy.pdf")
      const downloaded = yield* cli(["call", "im.v1.file.get", "--path", JSON.stringify({ file_key: fileKey }), "--output", target])
      assert.strictEqual(downloaded.code, 0)
      assert.deepStrictEqual(new Uint8Array(readFileSync(target)), bytes)
      assert.deepStrictEqual(downloaded.lines, [`ERR Saved 300 bytes (report.pdf) to ${target}.`])

      const refused = yield* cli(["call", "im.v1.file.get", "--path", JSON.stringify({ file_key: fileKey })])
      assert.strictEqual(refused.code, 1)
      assert.deepStrictEqual(refused.lines, ["ERR im.v1.file.get answered a file (300 bytes): pass --output <path> to save it."])

      const missing = yield* cli(["call", "im.v1.file.create", "--data", `{"file_type":"pdf"}`, "--file", `file=${source}.missing`])
      assert.strictEqual(missing.code, 1)
      assert.include(missing.lines[0]!, `${source}.missing`)
    }).pipe(Effect.provide(wiring)))
})
