import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { callback, isInterruptedExit } from "../../src/internal/dialect.js"
import { VERSION } from "../../src/internal/version.js"
import { LarkDecodeError, LarkHttpError } from "../../src/LarkError.js"
import {
  registerApp,
  type RegisterAppOptions,
  RegistrationDenied,
  RegistrationError,
  type RegistrationEvent,
  RegistrationExpired
} from "../../src/registration/index.js"
import * as FakeRegistration from "../../src/testing/FakeRegistration.js"
import { fork, pollUnsafe, scopedLive } from "../dialect.js"

const { Reply } = FakeRegistration
const FEISHU = "accounts.feishu.cn"
const LARK = "accounts.larksuite.com"

/** How `self` ended, as a value: `{ _tag: "Right", right }` or `{ _tag: "Left", left }`. */
const either = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.match(self, {
    onFailure: (left) => ({ _tag: "Left" as const, left }),
    onSuccess: (right) => ({ _tag: "Right" as const, right })
  })

/** Scripts the poll answers, then runs the whole flow in a fiber (the caller moves the clock). */
const start = (options: RegisterAppOptions, ...polls: ReadonlyArray<FakeRegistration.Reply>) =>
  Effect.gen(function*() {
    const fake = yield* FakeRegistration.FakeRegistration
    if (polls.length > 0) yield* fake.program("poll", ...polls)
    const fiber = yield* fork(either(Stream.runCollect(registerApp(options))))
    return { fake, fiber }
  })

/** Events in a readable form: the tag plus the status (and interval) of status events. */
const describeEvents = (events: Iterable<RegistrationEvent>) =>
  Array.from(events).map((event) =>
    event._tag === "Status" ? `Status:${event.status}${event.interval === undefined ? "" : `:${event.interval}`}` : event._tag)

const polls = (fake: FakeRegistration.FakeRegistration.Service) =>
  Effect.map(fake.callsOf("poll"), (calls) => calls.map((call) => ({ host: call.host, at: call.at })))

describe("registerApp (device flow under TestClock)", () => {
  it.effect("pending -> slow_down -> Lark switch -> success, honouring intervals and the one-time switch", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start(
        {},
        Reply.pending(),
        Reply.slowDown(),
        Reply.larkTenant("cli_new"),
        Reply.success({ clientId: "cli_new", clientSecret: "s3cret", tenantBrand: "lark" })
      )
      yield* TestClock.adjust("15 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag !== "Right") return
      assert.deepStrictEqual(describeEvents(result.right), [
        "QrCode",
        "Status:polling",
        "Status:slow_down:10",
        "Status:domain_switched",
        "Done"
      ])
      const done = Array.from(result.right).pop()!
      assert.strictEqual(done._tag, "Done")
      if (done._tag !== "Done") return
      assert.strictEqual(done.clientId, "cli_new")
      assert.strictEqual(Redacted.value(done.clientSecret), "s3cret")
      assert.deepStrictEqual(done.userInfo, { open_id: "ou_fake_user", tenant_brand: "lark" })
      assert.notInclude(JSON.stringify(done), "s3cret")
      assert.notInclude(String(done.clientSecret), "s3cret")

      // first poll right after the QR code, then the 5 s interval, then 5 + 5 after slow_down, then at once on Lark
      assert.deepStrictEqual(yield* polls(fake), [
        { host: FEISHU, at: 0 },
        { host: FEISHU, at: 5_000 },
        { host: FEISHU, at: 15_000 },
        { host: LARK, at: 15_000 }
      ])
      const calls = yield* fake.calls
      assert.deepStrictEqual(calls.map((call) => `${call.action}@${call.host}`), [
        `init@${FEISHU}`,
        `begin@${FEISHU}`,
        `poll@${FEISHU}`,
        `poll@${FEISHU}`,
        `poll@${FEISHU}`,
        `poll@${LARK}`
      ])
      assert.deepStrictEqual(calls[1]!.fields, {
        action: "begin",
        archetype: "PersonalAgent",
        auth_method: "client_secret",
        request_user_info: "open_id"
      })
      // every poll carries the one device code, also on the Lark host
      assert.deepStrictEqual(new Set(calls.slice(2).map((call) => JSON.stringify(call.fields))), new Set([
        JSON.stringify({ action: "poll", device_code: "fake_device_code_1" })
      ]))
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a second Lark answer after the switch does not switch again", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.larkTenant(), Reply.larkTenant(), Reply.success())
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") {
        assert.deepStrictEqual(describeEvents(result.right), ["QrCode", "Status:domain_switched", "Status:polling", "Done"])
      }
      assert.deepStrictEqual(yield* polls(fake), [{ host: FEISHU, at: 0 }, { host: LARK, at: 0 }, { host: LARK, at: 5_000 }])
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("credentials win over the Lark brand: no switch, no further poll", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.success({ tenantBrand: "lark" }))
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") assert.deepStrictEqual(describeEvents(result.right), ["QrCode", "Done"])
      assert.deepStrictEqual(yield* polls(fake), [{ host: FEISHU, at: 0 }])
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("beginning on Lark (domain: \"lark\") never switches", () =>
    Effect.gen(function*() {
      const larkPending = Reply.json(400, { error: "authorization_pending", user_info: { tenant_brand: "lark" } })
      const { fake, fiber } = yield* start({ domain: "lark" }, larkPending, Reply.success({ tenantBrand: "lark" }))
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") assert.deepStrictEqual(describeEvents(result.right), ["QrCode", "Status:polling", "Done"])
      assert.deepStrictEqual((yield* fake.calls).map((call) => call.host), [LARK, LARK, LARK, LARK])
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("an answer with neither credentials nor an error keeps polling", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.json(200, {}), Reply.json(200, { client_id: "cli_x", client_secret: "" }), Reply.success())
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") assert.deepStrictEqual(describeEvents(result.right), ["QrCode", "Status:polling", "Status:polling", "Done"])
      assert.strictEqual((yield* polls(fake)).length, 3)
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a server that takes init or begin and never answers: each fails as a Timeout after 30 s, not a wait forever", () =>
    Effect.gen(function*() {
      for (const hangingAt of ["init", "begin"]) {
        const sent: Array<string> = []
        const client = HttpClient.make((request) => {
          const action = new URLSearchParams(new TextDecoder().decode((request.body as { body: Uint8Array }).body)).get("action")!
          sent.push(action)
          return action === hangingAt
            ? Effect.never
            : Effect.succeed(HttpClientResponse.fromWeb(request, Response.json({ supported_auth_methods: ["client_secret"] })))
        })
        const fiber = yield* fork(Effect.flip(Stream.runDrain(registerApp())).pipe(Effect.provideService(HttpClient.HttpClient, client)))
        yield* TestClock.adjust("29 seconds")
        assert.isUndefined(pollUnsafe(fiber), "still waiting within the 30 s")
        yield* TestClock.adjust("1 second")
        assert.isDefined(pollUnsafe(fiber), "ended at 30 s")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, LarkHttpError)
        assert.strictEqual(error instanceof LarkHttpError && error.reason, "Timeout")
        assert.strictEqual(error instanceof LarkHttpError && error.operation, `registration.${hangingAt}`)
        assert.deepStrictEqual(sent, hangingAt === "init" ? ["init"] : ["init", "begin"])
      }
    }))

  it.effect("access_denied fails with RegistrationDenied after the events so far", () =>
    Effect.gen(function*() {
      const events: Array<string> = []
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.pending(), Reply.denied())
      const fiber = yield* fork(Effect.flip(Stream.runForEach(registerApp(), (event) => Effect.sync(() => events.push(event._tag)))))
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, RegistrationDenied)
      assert.strictEqual((error as RegistrationDenied).description, "The user refused")
      assert.deepStrictEqual(events, ["QrCode", "Status"])
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("expired_token fails with RegistrationExpired carrying the server's description", () =>
    Effect.gen(function*() {
      const { fiber } = yield* start({}, Reply.expired())
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left")
      if (result._tag === "Left") {
        assert.instanceOf(result.left, RegistrationExpired)
        assert.strictEqual((result.left as RegistrationExpired).description, "The device code expired")
      }
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("any other server error fails with RegistrationError { code, description }", () =>
    Effect.gen(function*() {
      const { fiber } = yield* start({}, Reply.error("invalid_client", "app quota reached"))
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(result._tag === "Left" ? result.left : undefined, new RegistrationError({ code: "invalid_client", description: "app quota reached" }))
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("the expires_in deadline ends polling: no poll at or after it, failure exactly at it", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({})
      yield* TestClock.adjust("11999 millis")
      assert.isUndefined(pollUnsafe(fiber))
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left" && result.left instanceof RegistrationExpired)
      // interval 5 s, deadline 12 s: polls at 0, 5 and 10 s; the next one (15 s) would be too late
      assert.deepStrictEqual((yield* polls(fake)).map((poll) => poll.at), [0, 5_000, 10_000])
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* fake.callsOf("poll")).length, 3)
    }).pipe(Effect.provide(FakeRegistration.layer({ expiresIn: 12 }))))

  it.effect("interrupting in the middle of a wait sends nothing more", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({})
      yield* TestClock.adjust("7 seconds") // polls at 0 and 5 s; now waiting for 10 s
      assert.strictEqual((yield* fake.callsOf("poll")).length, 2)
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(isInterruptedExit(exit))
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual((yield* fake.calls).length, 4) // init, begin, two polls
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a consumer that stops after the QR code causes no poll", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      const exit = yield* Effect.exit(Stream.runCollect(Stream.take(registerApp(), 1)))
      assert.isTrue(Exit.isSuccess(exit))
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual((yield* fake.calls).map((call) => call.action), ["init", "begin"])
    }).pipe(Effect.provide(FakeRegistration.layer())))
})

describe("registerApp: failures before polling", () => {
  it.effect("init without client_secret support fails and sends no begin", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({})
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left" && result.left instanceof RegistrationError && result.left.code === "unsupported_auth_method")
      assert.deepStrictEqual((yield* fake.calls).map((call) => call.action), ["init"])
    }).pipe(Effect.provide(FakeRegistration.layer({ supportedAuthMethods: ["private_key_jwt"] }))))

  it.effect("a begin error answer is a RegistrationError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("begin", Reply.error("invalid_request", "archetype not allowed"))
      const error = yield* Effect.flip(Stream.runDrain(registerApp()))
      assert.deepStrictEqual(error, new RegistrationError({ code: "invalid_request", description: "archetype not allowed" }))
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a begin answer without a device code is a LarkDecodeError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("begin", Reply.json(200, { verification_uri_complete: "https://x.invalid/p" }))
      const error = yield* Effect.flip(Stream.runDrain(registerApp()))
      assert.instanceOf(error, LarkDecodeError)
      assert.strictEqual((error as LarkDecodeError).operation, "registration.begin")
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a gateway error page while polling is retried one interval later", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.text(502, "<html>Bad Gateway</html>"), Reply.success())
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") assert.deepStrictEqual(describeEvents(result.right), ["QrCode", "Done"])
      assert.deepStrictEqual((yield* polls(fake)).map((poll) => poll.at), [0, 5_000])
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("three error pages in a row fail with a LarkHttpError carrying the status", () =>
    Effect.gen(function*() {
      const badGateway = Reply.text(502, "<html>Bad Gateway</html>")
      const { fake, fiber } = yield* start({}, badGateway, badGateway, badGateway, Reply.success())
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left")
      if (result._tag !== "Left") return
      assert.instanceOf(result.left, LarkHttpError)
      assert.strictEqual((result.left as LarkHttpError).reason, "Status")
      assert.strictEqual((result.left as LarkHttpError).httpStatus, 502)
      assert.strictEqual((result.left as LarkHttpError).operation, "registration.poll")
      assert.strictEqual((yield* polls(fake)).length, 3)
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("an answer over 1 MiB is a LarkHttpError (TooLarge), not retried", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.text(200, "x".repeat(1024 * 1024 + 1)))
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left" && result.left instanceof LarkHttpError && result.left.reason === "TooLarge")
      assert.strictEqual((yield* polls(fake)).length, 1)
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("a non-JSON 200 answer is a LarkDecodeError, not retried", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.text(200, "ok"))
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left" && result.left instanceof LarkDecodeError)
      assert.strictEqual((yield* polls(fake)).length, 1)
    }).pipe(Effect.provide(FakeRegistration.layer())))
})

describe("User-Agent", () => {
  it.effect("every registration request carries the SDK's own User-Agent", () =>
    Effect.gen(function*() {
      const { fake, fiber } = yield* start({}, Reply.success())
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      const agents = (yield* fake.calls).map((call) => call.userAgent)
      assert.deepStrictEqual(agents, ["init", "begin", "poll"].map(() => `lark-effect/${VERSION}`))
    }).pipe(Effect.provide(FakeRegistration.layer())))

  scopedLive("over the default fetch client too (whose own User-Agent is `node`)", () =>
    Effect.gen(function*() {
      const agents: Array<string | undefined> = []
      const server = createServer((request, response) => {
        agents.push(request.headers["user-agent"])
        response.writeHead(400, { "content-type": "application/json" })
        response.end(JSON.stringify({ error: "invalid_request", error_description: "stop here" }))
      })
      yield* Effect.acquireRelease(
        callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => callback<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const domain = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const result = yield* either(Stream.runDrain(registerApp({ domain })).pipe(Effect.provide(FetchHttpClient.layer)))
      assert.isTrue(result._tag === "Left")
      assert.deepStrictEqual(agents, [`lark-effect/${VERSION}`])
    }))
})

describe("decode failures keep no secret", () => {
  it.effect("an undecodable answer's body is kept as its shape, every string masked", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("begin", Reply.json(200, { client_id: "cli_leak", client_secret: "s3cr3t-value", interval: 5 }))
      const result = yield* either(Stream.runDrain(registerApp({})))
      assert.isTrue(result._tag === "Left" && result.left instanceof LarkDecodeError)
      if (result._tag !== "Left" || !(result.left instanceof LarkDecodeError)) return
      assert.notInclude(result.left.body ?? "", "s3cr3t-value")
      assert.deepStrictEqual(JSON.parse(result.left.body ?? ""), { client_id: "<redacted>", client_secret: "<redacted>", interval: 5 })

      yield* fake.program("poll", Reply.text(200, "client_secret=s3cr3t-value"))
      const { fiber } = yield* start({})
      yield* TestClock.adjust("5 seconds")
      const polled = yield* Fiber.join(fiber)
      assert.isTrue(polled._tag === "Left" && polled.left instanceof LarkDecodeError)
      if (polled._tag === "Left" && polled.left instanceof LarkDecodeError) assert.strictEqual(polled.left.body, "<redacted>")
    }).pipe(Effect.provide(FakeRegistration.layer())))
})
