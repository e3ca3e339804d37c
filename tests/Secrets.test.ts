/**
 * No secret in any log line, error, or span: every scenario below runs with a logger and a tracer that keep
 * everything, and the whole capture is searched for each secret value.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option, Redacted, Schedule, Tracer } from "effect"
import * as LarkConfig from "../src/LarkConfig.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import * as UserAccessToken from "../src/UserAccessToken.js"
import { message } from "./fixtures/operations.js"

const APP_SECRET = "app-secret-7f3a9c"
const TENANT_TOKEN = "t-tenant-token-55e1"
const USER_TOKEN = "u-user-token-a01b"
const HELPDESK_TOKEN = "helpdesk-token-c4d2"
const ENCRYPT_KEY = "encrypt-key-9b8e"
const ASSERTION = "eyJhbGciOi.assertion.sig"
const REFRESH_TOKEN = "r-refresh-token-77aa"
const secrets = [APP_SECRET, TENANT_TOKEN, USER_TOKEN, HELPDESK_TOKEN, ENCRYPT_KEY, ASSERTION, REFRESH_TOKEN]

const captured: Array<string> = []

const capturingLogger = Logger.make(({ message, annotations, cause, spans }) => {
  captured.push(JSON.stringify({ message, annotations: [...annotations], spans: [...spans] }), Cause.pretty(cause))
})

const capturingTracer = Tracer.make({
  span: (name, parent, context, links, startTime, kind) => {
    const attributes = new Map<string, unknown>()
    const span: Tracer.Span = {
      _tag: "Span", name, spanId: `${Math.random()}`, traceId: "trace", parent, context, links: [...links], sampled: true, kind,
      status: { _tag: "Started", startTime },
      attributes,
      attribute: (key, value) => void attributes.set(key, value),
      event: (eventName, _time, eventAttributes) => void captured.push(JSON.stringify({ eventName, eventAttributes })),
      addLinks: () => {},
      end: (_endTime, exit) => {
        captured.push(JSON.stringify({ name, attributes: [...attributes] }))
        if (Exit.isFailure(exit)) captured.push(Cause.pretty(exit.cause))
      }
    }
    return span
  },
  context: (f) => f()
})

let answers = 0
const routes = [
  MockHttp.route("POST", "/open-apis/auth/v3/tenant_access_token/internal", () => ({
    body: { code: 0, msg: "ok", tenant_access_token: TENANT_TOKEN, expire: 7200 }
  })),
  MockHttp.route("POST", "/open-apis/auth/v3/app_access_token/internal", () => ({
    body: { code: 10014, msg: "app secret invalid" }
  })),
  MockHttp.route("POST", "/open-apis/im/v1/messages", () =>
    ++answers % 2 === 0
      ? MockHttp.fail(99991663, "Invalid access token for authorization.")
      : MockHttp.fail(99991400, "request trigger frequency limit", 429, { "x-ogw-ratelimit-reset": "0" })),
  MockHttp.route("POST", "/oauth/v3/token", () => ({ status: 400, body: { error: "invalid_grant", error_description: "bad code" } }))
]

const config = LarkConfig.layer({
  appId: "cli_secret_test",
  appSecret: Redacted.make(APP_SECRET),
  encryptKey: Redacted.make(ENCRYPT_KEY),
  helpdesk: { id: "hd_1", token: Redacted.make(HELPDESK_TOKEN) },
  retrySchedule: Schedule.recurs(2)
})

const hello = message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } })

const record = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.exit(effect).pipe(
    Effect.tap((exit) => Effect.sync(() => {
      captured.push(String(exit), JSON.stringify(exit))
      if (Exit.isFailure(exit)) {
        captured.push(Cause.pretty(exit.cause))
        const error = Cause.failureOption(exit.cause)
        if (Option.isSome(error)) captured.push(String(error.value), JSON.stringify(error.value), (error.value as Error).message ?? "")
      }
    }))
  )

describe("secrets", () => {
  it.effect("never appear in logs, errors or spans", () =>
    Effect.gen(function*() {
      yield* record(hello)
      yield* record(message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { userAccessToken: USER_TOKEN, helpdesk: true }))
      yield* record(UserAccessToken.exchangeCodeOidc("code-1")) // app token refused
      yield* record(UserAccessToken.exchangeCode({ code: "code-2" }))
      yield* record(UserAccessToken.refresh(Redacted.make(REFRESH_TOKEN)))
      yield* record(Effect.provide(
        hello,
        LarkConfig.layer({ appId: "cli_2", clientAssertion: () => Effect.succeed(Redacted.make(ASSERTION)) })
      ))
      yield* record(Effect.flatMap(LarkConfig.LarkConfig, (service) => Effect.logError("config", service)))

      assert.isAbove(captured.length, 20) // the capture really saw the calls
      const everything = captured.join("\n")
      assert.include(everything, "im.v1.message.create")
      for (const secret of secrets) assert.notInclude(everything, secret, `found a secret in the capture`)
    }).pipe(
      Effect.provide(Layer.merge(config, MockHttp.layer(routes))),
      Effect.provide(Logger.replace(Logger.defaultLogger, capturingLogger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.withTracer(capturingTracer)
    ))
})
