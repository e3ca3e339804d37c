/**
 * Registration and user tokens on Effect 4: `registerApp` runs the device flow over real sockets against the test
 * kit's `FakeRegistration` (served on 127.0.0.1 by a plain `node:http` server, two of them for the Feishu and the
 * Lark hosts) to the new app's id and secret, a refusal fails typed, interrupting the flow stops its requests, and
 * `UserTokens` exchanges a code, refreshes, retries a call after a token-invalid answer and forgets a user whose
 * refresh is refused, against `MockHttp`. Prints one JSON line for tests/effect4/edition.test.ts.
 */
import { mkdtempSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Message from "../src/api/im/v1/message.js"
import { parseCommandLine } from "../src/cli/args.js"
import { runRegister } from "../src/cli/register.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { registerApp, registerAppAsync } from "../src/registration/index.js"
import * as FakeRegistration from "../src/testing/FakeRegistration.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import * as UserTokens from "../src/UserTokens.js"

/** Serves the fake's endpoint on 127.0.0.1 (any free port); answers what `handle` answers. */
const serve = (fake: FakeRegistration.FakeRegistration.Service): Effect.Effect<{ readonly base: string }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Server>((resume) => {
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const host = request.headers.host ?? ""
          const form = Buffer.concat(chunks).toString("utf8")
          const userAgent = request.headers["user-agent"]
          void Effect.runPromise(fake.handle({ host, form, userAgent })).then(async (reply) => {
            const web = FakeRegistration.toWebResponse(reply)
            response.writeHead(web.status, { "content-type": web.headers.get("content-type") ?? "" })
            response.end(await web.text())
          })
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
  ).pipe(Effect.map((server) => ({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))

const fast = { interval: 0.05, expiresIn: 30 }

const flow = Effect.gen(function*() {
  const fake = yield* FakeRegistration.make(fast)
  const feishu = yield* serve(fake)
  const lark = yield* serve(fake)
  yield* fake.program("poll", FakeRegistration.Reply.pending(), FakeRegistration.Reply.larkTenant("cli_new"))
  yield* fake.program("poll", FakeRegistration.Reply.success({ clientId: "cli_new", clientSecret: "new-secret" }))
  const events = yield* registerApp({ domain: feishu.base, larkDomain: lark.base, appPreset: { name: "Bot" } }).pipe(
    Stream.runCollect,
    Effect.provide(FetchHttpClient.layer)
  )
  const calls = yield* fake.calls
  const port = (base: string) => base.slice(base.lastIndexOf(":") + 1)
  return {
    events: Array.from(events, (event) =>
      event._tag === "QrCode"
        ? { tag: event._tag, expireIn: event.expireIn, name: new URL(event.url).searchParams.get("name") }
        : event._tag === "Status"
        ? { tag: event._tag, status: event.status }
        : { tag: event._tag, clientId: event.clientId, clientSecret: Redacted.value(event.clientSecret) }),
    calls: calls.map((call) => ({
      action: call.action,
      host: call.host === `127.0.0.1:${port(feishu.base)}` ? "feishu" : call.host === `127.0.0.1:${port(lark.base)}` ? "lark" : call.host,
      userAgent: call.userAgent?.startsWith("lark-effect/") === true
    }))
  }
})

const denied = Effect.gen(function*() {
  const fake = yield* FakeRegistration.make(fast)
  const server = yield* serve(fake)
  yield* fake.program("poll", FakeRegistration.Reply.denied())
  const error = yield* registerApp({ domain: server.base }).pipe(Stream.runDrain, Effect.provide(FetchHttpClient.layer), Effect.flip)
  return { tag: error._tag, message: error.message }
})

/** Polls go on (pending) until the fiber is interrupted; then no request follows. */
const interrupted = Effect.gen(function*() {
  const fake = yield* FakeRegistration.make(fast)
  const server = yield* serve(fake)
  const fiber = yield* registerApp({ domain: server.base }).pipe(
    Stream.runCollect,
    Effect.provide(FetchHttpClient.layer),
    Effect.forkChild
  )
  while ((yield* fake.callsOf("poll")).length < 2) yield* Effect.sleep("20 millis")
  const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
  const atInterrupt = (yield* fake.calls).length
  yield* Effect.sleep("300 millis")
  return {
    interrupted: Exit.isFailure(exit) && Exit.hasInterrupts(exit),
    polled: (yield* fake.callsOf("poll")).length >= 2,
    callsAfter: (yield* fake.calls).length - atInterrupt
  }
})

/** The Promise facade: an `AbortSignal` stops the flow and the promise rejects with its reason. */
const aborted = Effect.gen(function*() {
  const fake = yield* FakeRegistration.make(fast)
  const server = yield* serve(fake)
  const controller = new AbortController()
  const statuses: Array<string> = []
  const promise = registerAppAsync({
    domain: server.base,
    onQrCode: () => undefined,
    onStatusChange: ({ status }) => {
      statuses.push(status)
      if (statuses.length === 2) controller.abort(new Error("stop"))
    },
    signal: controller.signal
  })
  const reason = yield* Effect.promise(() => promise.then(() => "resolved", (error: Error) => error.message))
  return { reason, statuses }
})

/**
 * `lark-effect register` (the command line parsed, then `runRegister`, as `run` does) against the fake: the exit
 * code, what it printed, the .env it wrote; and a misspelt flag, a usage error. (`run` itself also imports the
 * `events` command, whose long connection is not on Effect 4 yet.)
 */
const cli = Effect.gen(function*() {
  const fake = yield* FakeRegistration.make(fast)
  const server = yield* serve(fake)
  yield* fake.program("poll", FakeRegistration.Reply.success({ clientId: "cli_cli", clientSecret: "cli-secret-123456" }))
  const envFile = join(mkdtempSync(join(tmpdir(), "lark-effect-e4-")), ".env")
  const lines: Array<string> = []
  const output = {
    out: (line: string) => Effect.sync(() => void lines.push(line)),
    err: (line: string) => Effect.sync(() => void lines.push(`! ${line}`))
  }
  const parsed = parseCommandLine(["register", "--domain", server.base, "--name", "Bot", "--write-env", envFile])
  if (Result.isFailure(parsed) || parsed.success._tag !== "Register") return yield* Effect.die(new Error("register did not parse"))
  const code = yield* runRegister(parsed.success, output, () => Effect.succeed(2)).pipe(
    Effect.provide(Layer.merge(FetchHttpClient.layer, NodeFileSystem.layer))
  )
  const misspelt = parseCommandLine(["register", "--nmae", "Bot"])
  return {
    code,
    appId: lines.includes("  App ID:     cli_cli"),
    masked: !lines.some((line) => line.includes("cli-secret-123456")),
    env: readFileSync(envFile, "utf8"),
    usage: Result.isFailure(misspelt) ? misspelt.failure.message : undefined
  }
})

const TOKEN_PATH = "/oauth/v3/token"

/** Refresh token `r-<user>-<n>` gives `u-<user>-<n+1>`; user "revoked" is refused; a code gives `u-c-0`, stale at once. */
const tokenRoute = MockHttp.route("POST", TOKEN_PATH, (request) => {
  const body = (request.body as { value: Record<string, string> }).value
  if (body["grant_type"] === "authorization_code") {
    return { body: { code: 0, access_token: `u-${body["code"]}-0`, refresh_token: `r-${body["code"]}-0`, expires_in: 60 } }
  }
  const [, user, n] = body["refresh_token"]!.split("-")
  if (user === "revoked") return { status: 400, body: { error: "invalid_grant", error_description: "refresh token revoked", code: 20064 } }
  const next = Number(n) + 1
  return { body: { code: 0, access_token: `u-${user}-${next}`, refresh_token: `r-${user}-${next}`, expires_in: 7200, refresh_token_expires_in: 604800 } }
})

/** The message API refuses `u-c-1` as an invalid user token once it has been refreshed past. */
const messageRoute = MockHttp.route("POST", "/open-apis/im/v1/messages", (request) =>
  request.headers["authorization"] === "Bearer u-c-1" ? MockHttp.fail(99991677, "user token expired") : MockHttp.ok({ message_id: "om_1" }))

const userTokens = Effect.gen(function*() {
  const tokens = yield* UserTokens.UserTokens
  const exchanged = yield* tokens.exchange("ou_a", { code: "c", codeVerifier: "verifier" })
  const first = Redacted.value(yield* tokens.get("ou_a"))
  const again = Redacted.value(yield* tokens.get("ou_a"))
  const sent = yield* UserTokens.withUser("ou_a", (userAccessToken) =>
    Message.create({
      params: { receive_id_type: "chat_id" },
      data: { receive_id: "oc_1", msg_type: "text", content: "{}" }
    }, { userAccessToken }))
  yield* tokens.exchange("ou_r", { code: "revoked", codeVerifier: "verifier" })
  const refused = yield* Effect.flip(tokens.get("ou_r"))
  const forgotten = yield* Effect.flip(tokens.get("ou_r"))
  const mock = yield* MockHttp.MockHttp
  const requests = (yield* mock.requests).filter((request) => request.path === TOKEN_PATH).map((request) => {
    const body = (request.body as { value: Record<string, string> }).value
    return { grant: body["grant_type"], refreshToken: body["refresh_token"], secret: body["client_secret"] }
  })
  return {
    exchanged: Redacted.value(exchanged.accessToken),
    first,
    again,
    sent,
    refused: { tag: refused._tag, message: refused.message },
    forgotten: { tag: forgotten._tag, message: forgotten.message },
    tokenRequests: requests
  }
}).pipe(
  Effect.provide(Layer.mergeAll(
    LarkConfig.layer({ appId: "cli_a", appSecret: Redacted.make("secret") }),
    MockHttp.layer([tokenRoute, messageRoute]),
    UserTokens.layerMemory()
  ))
)

const program = Effect.gen(function*() {
  return {
    flow: yield* flow,
    denied: yield* denied,
    interrupted: yield* interrupted,
    aborted: yield* aborted,
    cli: yield* cli,
    userTokens: yield* userTokens
  }
}).pipe(Effect.scoped)

Effect.runPromise(program).then((result) => console.log(JSON.stringify(result)))
