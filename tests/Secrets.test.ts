/**
 * No secret in any log line, error, or span: every scenario below runs with a logger and a tracer that keep
 * everything (span attributes, events and exits; log messages, annotations and causes), and the whole
 * recording, written out deeply, is searched for each secret value.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted, Schedule } from "effect"
import * as GeneratedTenantToken from "../src/api/auth/v3/tenantAccessToken.js"
import * as GeneratedOidcToken from "../src/api/authen/v1/oidcAccessToken.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { type LarkConfigError, LarkDecodeError } from "../src/LarkError.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import * as Tokens from "../src/Tokens.js"
import * as UserAccessToken from "../src/UserAccessToken.js"
import { message } from "./fixtures/operations.js"
import { withLogsTo } from "./dialect.js"
import * as Recording from "./fixtures/recording.js"

const APP_SECRET = "app-secret-7f3a9c"
const TENANT_TOKEN = "t-tenant-token-55e1"
const USER_TOKEN = "u-user-token-a01b"
const HELPDESK_TOKEN = "helpdesk-token-c4d2"
const ENCRYPT_KEY = "encrypt-key-9b8e"
const ASSERTION = "eyJhbGciOi.assertion.sig"
const REFRESH_TOKEN = "r-refresh-token-77aa"
const APP_TOKEN = "a-app-token-3c9d"
const APP_TICKET = "ticket-e5f0"
const secrets = [APP_SECRET, TENANT_TOKEN, USER_TOKEN, HELPDESK_TOKEN, ENCRYPT_KEY, ASSERTION, REFRESH_TOKEN, APP_TOKEN, APP_TICKET]

/** Runs `effect` with a fresh recording tracer and logger (all levels); what the caller got is kept too. */
const recorded = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const recording = Recording.make()
    return Effect.exit(effect).pipe(
      Effect.tap((exit) => Effect.sync(() => recording.keep(exit))),
      withLogsTo(recording.log),
      Effect.withTracer(recording.tracer),
      Effect.as(recording)
    )
  })

const assertNoSecret = (recording: Recording.Recording) => {
  const everything = recording.text()
  for (const secret of secrets) assert.notInclude(everything, secret, `found a secret in the recording`)
}

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

describe("secrets", () => {
  it.effect("never appear in logs, errors or spans", () =>
    Effect.gen(function*() {
      const recording = yield* recorded(Effect.gen(function*() {
        yield* Effect.exit(hello)
        yield* Effect.exit(message.create({ params: { receive_id_type: "chat_id" }, data: { receive_id: "oc_1", msg_type: "text", content: "{}" } }, { userAccessToken: USER_TOKEN, helpdesk: true }))
        yield* Effect.exit(UserAccessToken.exchangeCodeOidc("code-1")) // app token refused
        yield* Effect.exit(UserAccessToken.exchangeCode({ code: "code-2" }))
        yield* Effect.exit(UserAccessToken.refresh(Redacted.make(REFRESH_TOKEN)))
        yield* Effect.exit(Effect.provide(
          hello,
          LarkConfig.layer({ appId: "cli_2", clientAssertion: () => Effect.succeed(Redacted.make(ASSERTION)) })
        ))
        yield* Effect.logError("config", yield* LarkConfig.LarkConfig)
      }))
      // the recording really saw the calls
      const names = new Set(recording.spans.map((span) => span.name))
      for (const name of ["im.v1.message.create", "auth.v3.tenantAccessToken.internal", "oauth.v3.token", "oauth.v3.token.clientAssertion"]) {
        assert.isTrue(names.has(name), name)
      }
      assert.isAbove(recording.logs.length, 3)
      assertNoSecret(recording)
    }).pipe(Effect.provide(Layer.merge(config, MockHttp.layer(routes)))))

  it.effect("a call through a plain HttpClient has no http.client span (it would end on the request's headers) and sends no trace headers", () =>
    Effect.gen(function*() {
      const recording = yield* recorded(Effect.withSpan(hello, "caller"))
      assert.deepStrictEqual(recording.spans.map((span) => span.name), ["caller", "im.v1.message.create", "auth.v3.tenantAccessToken.internal"])
      const sent = yield* Effect.flatten(Effect.map(MockHttp.MockHttp, (mock) => mock.requests))
      assert.lengthOf(sent, 2)
      for (const request of sent) {
        assert.deepStrictEqual(Object.keys(request.headers).filter((name) => name === "traceparent" || name.startsWith("b3") || name.startsWith("x-b3")), [])
      }
    }).pipe(Effect.provide(Layer.merge(config, MockHttp.layer([MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({}))])))))

  it.effect("the recording finds a secret anywhere in a span's exit, and none kept Redacted", () =>
    Effect.gen(function*() {
      const leaky = yield* recorded(Effect.withSpan(Effect.fail(new Error("leaky", { cause: { nested: [TENANT_TOKEN] } })), "leaky"))
      assert.include(leaky.text(), TENANT_TOKEN)
      const leakyValue = yield* recorded(Effect.withSpan(Effect.succeed(new Map([["token", { value: APP_TOKEN }]])), "leaky"))
      assert.include(leakyValue.text(), APP_TOKEN)
      const safe = yield* recorded(Effect.withSpan(Effect.succeed({ token: Redacted.make(TENANT_TOKEN) }), "safe"))
      assert.include(safe.text(), "<redacted>")
      assertNoSecret(safe)
    }))
})

/** How the platform answers the token endpoint under test; the other endpoints answer well. */
type Answering = "well" | "malformed" | "truncated"

const shaped = (answering: Answering, body: Record<string, unknown>, lifetime: string): MockHttp.Answer =>
  answering === "well"
    ? { body }
    : answering === "malformed"
    ? { body: { ...body, [lifetime]: "soon" } } // still holds the token strings, but does not decode
    : { body: JSON.stringify({ ...body, [lifetime]: 7200 }).slice(0, -3) } // cut off after the tokens

const userToken = { access_token: USER_TOKEN, refresh_token: REFRESH_TOKEN, token_type: "Bearer", scope: "" }

const tokenPlatform = (answering: Answering, underTest: string) => {
  const answer = (path: string, body: Record<string, unknown>, lifetime: string) => () =>
    shaped(path === underTest ? answering : "well", body, lifetime)
  const route = (path: string, body: Record<string, unknown>, lifetime: string) =>
    MockHttp.route("POST", path, answer(path, body, lifetime))
  return MockHttp.layer([
    route("/open-apis/auth/v3/tenant_access_token/internal", { code: 0, msg: "ok", tenant_access_token: TENANT_TOKEN, expire: 7200 }, "expire"),
    route("/open-apis/auth/v3/app_access_token/internal", { code: 0, msg: "ok", app_access_token: APP_TOKEN, expire: 7200 }, "expire"),
    route("/open-apis/auth/v3/app_access_token", { code: 0, msg: "ok", app_access_token: APP_TOKEN, expire: 7200 }, "expire"),
    route("/open-apis/auth/v3/tenant_access_token", { code: 0, msg: "ok", tenant_access_token: TENANT_TOKEN, expire: 7200 }, "expire"),
    MockHttp.route("POST", "/oauth/v3/token", (request) =>
      (request.body as { value: { grant_type: string } }).value.grant_type.includes("jwt-bearer")
        ? answer("keyless", { access_token: TENANT_TOKEN, expires_in: 7200, token_type: "Bearer" }, "expires_in")()
        : answer("/oauth/v3/token", { ...userToken, expires_in: 7200 }, "expires_in")()),
    route("/open-apis/authen/v2/oauth/token", { code: 0, ...userToken, expires_in: 7200 }, "expires_in"),
    route("/open-apis/authen/v1/oidc/access_token", { code: 0, msg: "ok", data: { ...userToken, expires_in: 7200 } }, "data"),
    route("/open-apis/authen/v1/oidc/refresh_access_token", { code: 0, msg: "ok", data: { ...userToken, expires_in: 7200 } }, "data")
  ], { tokens: false })
}

const selfBuilt = LarkConfig.layer({ appId: "cli_tokens", appSecret: Redacted.make(APP_SECRET) })
const keyless = LarkConfig.layer({ appId: "cli_keyless", clientAssertion: () => Effect.succeed(Redacted.make(ASSERTION)) })
const marketplace = LarkConfig.layer({ appId: "cli_isv", appSecret: Redacted.make(APP_SECRET), appType: "marketplace" })

interface Flow {
  readonly name: string
  /** The path of the answer under test ("keyless": the client-assertion grant of /oauth/v3/token). */
  readonly path: string
  /** The span of the request to that path. */
  readonly span: string
  readonly config: Layer.Layer<LarkConfig.LarkConfig, LarkConfigError>
  readonly run: Effect.Effect<unknown, unknown, LarkConfig.LarkConfig | HttpClient.HttpClient>
}

const flows: ReadonlyArray<Flow> = [
  { name: "tenant token", path: "/open-apis/auth/v3/tenant_access_token/internal", span: "auth.v3.tenantAccessToken.internal", config: selfBuilt, run: Tokens.tenantAccessToken() },
  { name: "app token", path: "/open-apis/auth/v3/app_access_token/internal", span: "auth.v3.appAccessToken.internal", config: selfBuilt, run: Tokens.appAccessToken },
  { name: "keyless tenant token", path: "keyless", span: "oauth.v3.token.clientAssertion", config: keyless, run: Tokens.tenantAccessToken() },
  {
    name: "marketplace app token",
    path: "/open-apis/auth/v3/app_access_token",
    span: "auth.v3.appAccessToken.create",
    config: marketplace,
    run: Effect.andThen(Tokens.setAppTicket(APP_TICKET), Tokens.tenantAccessToken("tenant-a"))
  },
  {
    name: "marketplace tenant token",
    path: "/open-apis/auth/v3/tenant_access_token",
    span: "auth.v3.tenantAccessToken.create",
    config: marketplace,
    run: Effect.andThen(Tokens.setAppTicket(APP_TICKET), Tokens.tenantAccessToken("tenant-a"))
  },
  { name: "user token from a code (OAuth v3)", path: "/oauth/v3/token", span: "oauth.v3.token", config: selfBuilt, run: UserAccessToken.exchangeCode({ code: "code-1", codeVerifier: "v" }) },
  { name: "user token refresh (OAuth v2)", path: "/open-apis/authen/v2/oauth/token", span: "oauth.v2.token", config: selfBuilt, run: UserAccessToken.refresh(Redacted.make(REFRESH_TOKEN), "v2") },
  { name: "user token from a code (OIDC)", path: "/open-apis/authen/v1/oidc/access_token", span: "authen.v1.oidcAccessToken.create", config: selfBuilt, run: UserAccessToken.exchangeCodeOidc("code-1") },
  {
    name: "user token refresh (OIDC)",
    path: "/open-apis/authen/v1/oidc/refresh_access_token",
    span: "authen.v1.oidcRefreshAccessToken.create",
    config: selfBuilt,
    run: UserAccessToken.refreshOidc(Redacted.make(REFRESH_TOKEN))
  },
  // the generated functions of the same endpoints, called directly (their caller gets the token itself)
  {
    name: "generated auth.v3.tenantAccessToken.internal",
    path: "/open-apis/auth/v3/tenant_access_token/internal",
    span: "auth.v3.tenant_access_token.internal",
    config: selfBuilt,
    run: Effect.asVoid(GeneratedTenantToken.internal({ data: { app_id: "cli_tokens", app_secret: APP_SECRET } }))
  },
  {
    name: "generated authen.v1.oidcAccessToken.create",
    path: "/open-apis/authen/v1/oidc/access_token",
    span: "authen.v1.oidc.access_token.create",
    config: selfBuilt,
    run: Effect.asVoid(GeneratedOidcToken.create({ data: { grant_type: "authorization_code", code: "code-1" } }))
  }
]

describe("token answers hold no secret for a tracer or logger", () => {
  for (const flow of flows) {
    for (const answering of ["well", "malformed", "truncated"] as const) {
      it.effect(`${flow.name}, answered ${answering}`, () =>
        Effect.gen(function*() {
          const recording = yield* recorded(flow.run)
          const span = recording.spans.find((recorded) => recorded.name === flow.span)
          assert.isDefined(span, "the request's span was recorded")
          assert.isTrue(Exit.isExit(span!.exit), "the span ended with an exit")
          assert.strictEqual(Exit.isSuccess(span!.exit as Exit.Exit<unknown, unknown>), answering === "well")
          assertNoSecret(recording)
        }).pipe(Effect.provide(Layer.merge(flow.config, tokenPlatform(answering, flow.path)))))
    }
  }

  it.effect("a token answer that does not decode: the span's LarkDecodeError keeps the body's shape, its strings masked", () =>
    Effect.gen(function*() {
      const recording = yield* recorded(Tokens.tenantAccessToken())
      const exit = recording.spans.find((span) => span.name === "auth.v3.tenantAccessToken.internal")!.exit as Exit.Exit<unknown, unknown>
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(error, LarkDecodeError)
      assert.deepStrictEqual(JSON.parse((error as LarkDecodeError).body), {
        code: 0,
        msg: "<redacted>",
        tenant_access_token: "<redacted>",
        expire: "<redacted>"
      })
    }).pipe(Effect.provide(Layer.merge(selfBuilt, tokenPlatform("malformed", "/open-apis/auth/v3/tenant_access_token/internal")))))
})
