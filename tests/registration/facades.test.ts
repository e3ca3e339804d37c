import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as FakeNode from "../../layers/testing.js"
import {
  type QrCodeInfo,
  registerAppAsync,
  registerAppEffect,
  RegistrationDenied,
  type StatusInfo
} from "../../src/registration/index.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import * as FakeRegistration from "../../src/testing/FakeRegistration.js"
import { fork } from "../dialect.js"

const { Reply } = FakeRegistration

/** A callback log, in call order. */
const recorder = () => {
  const seen: Array<string> = []
  return {
    seen,
    onQrCode: (info: QrCodeInfo) => void seen.push(`qr ${info.expireIn}s ${new URL(info.url).searchParams.get("user_code")}`),
    onStatusChange: (info: StatusInfo) => void seen.push(info.interval === undefined ? info.status : `${info.status} ${info.interval}s`)
  }
}

/** An in-process fake on the real clock, with a short interval so that Promise tests run quickly. */
const quickFake = (...polls: ReadonlyArray<FakeRegistration.Reply>) => {
  const fake = Effect.runSync(FakeRegistration.make({ interval: 0.02 }))
  Effect.runSync(fake.program("poll", ...polls))
  return { fake, httpClient: Layer.succeed(HttpClient.HttpClient, fake.httpClient) }
}

const callCount = (fake: FakeRegistration.FakeRegistration.Service) => Effect.runSync(fake.calls).length

describe("registerAppEffect", () => {
  it.effect("calls onQrCode once and onStatusChange per status, then succeeds with the app", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.pending(), Reply.slowDown(), Reply.success({ clientId: "cli_eff", clientSecret: "eff-secret" }))
      const callbacks = recorder()
      const fiber = yield* fork(registerAppEffect({ ...callbacks, appPreset: { name: "Bot" } }))
      yield* TestClock.adjust("15 seconds")
      const app = yield* Fiber.join(fiber)
      assert.deepStrictEqual(callbacks.seen, ["qr 600s FAKE-0001", "polling", "slow_down 10s"])
      assert.strictEqual(app.clientId, "cli_eff")
      assert.strictEqual(Redacted.value(app.clientSecret), "eff-secret")
      assert.deepStrictEqual(app.userInfo, { open_id: "ou_fake_user", tenant_brand: "feishu" })
    }).pipe(Effect.provide(FakeRegistration.layer())))

  it.effect("fails with the typed error; onStatusChange is optional", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      yield* fake.program("poll", Reply.denied())
      const error = yield* Effect.flip(registerAppEffect({ onQrCode: () => undefined }))
      assert.instanceOf(error, RegistrationDenied)
    }).pipe(Effect.provide(FakeRegistration.layer())))
})

describe("registerAppAsync", () => {
  it("resolves with the app", async () => {
    const { httpClient } = quickFake(Reply.pending(), Reply.success({ clientSecret: "p-secret" }))
    const callbacks = recorder()
    const app = await registerAppAsync({ ...callbacks, httpClient })
    assert.strictEqual(Redacted.value(app.clientSecret), "p-secret")
    assert.deepStrictEqual(callbacks.seen, ["qr 600s FAKE-0001", "polling"])
  })

  it("rejects with the tagged error, an Error instance", async () => {
    const { httpClient } = quickFake(Reply.denied())
    const error = await registerAppAsync({ onQrCode: () => undefined, httpClient }).catch((e: unknown) => e)
    assert.instanceOf(error, RegistrationDenied)
    assert.instanceOf(error, Error)
  })

  it("an abort while waiting rejects with signal.reason and nothing is sent afterwards", async () => {
    const { fake, httpClient } = quickFake()
    const controller = new AbortController()
    let polls = 0
    const pending = registerAppAsync({
      onQrCode: () => undefined,
      onStatusChange: () => {
        if (++polls === 3) controller.abort()
      },
      httpClient,
      signal: controller.signal
    })
    const error = await pending.catch((e: unknown) => e)
    assert.strictEqual(error, controller.signal.reason)
    assert.strictEqual((error as DOMException).name, "AbortError")
    const sent = callCount(fake)
    assert.strictEqual(sent, 5) // init, begin, 3 polls
    await new Promise((resolve) => setTimeout(resolve, 200)) // ten intervals
    assert.strictEqual(callCount(fake), sent)
  })

  it("an already aborted signal sends nothing", async () => {
    const { fake, httpClient } = quickFake()
    const reason = new Error("user left")
    const error = await registerAppAsync({ onQrCode: () => undefined, httpClient, signal: AbortSignal.abort(reason) }).catch((e: unknown) => e)
    assert.strictEqual(error, reason)
    assert.strictEqual(callCount(fake), 0)
  })
})

// The real fake server on loopback, reached through fetch (the Promise facade's default client). The Lark
// host is the same server under another name, so the switch shows in the Host header.
layer(FakeNode.fakeOpenPlatform({ registration: { interval: 0.02 } }), { excludeTestServices: true })("registerApp on loopback", (it) => {
  it.effect("switches to the Lark host and gets the secret there", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      yield* fake.registration.program("poll", Reply.pending(), Reply.larkTenant("cli_loop"), Reply.success({ clientId: "cli_loop", clientSecret: "loop-secret", tenantBrand: "lark" }))
      const larkDomain = fake.url.replace("127.0.0.1", "localhost")
      const callbacks = recorder()
      const app = yield* Effect.promise(() => registerAppAsync({ ...callbacks, domain: fake.url, larkDomain }))
      assert.strictEqual(app.clientId, "cli_loop")
      assert.strictEqual(Redacted.value(app.clientSecret), "loop-secret")
      assert.deepStrictEqual(callbacks.seen, ["qr 600s FAKE-0001", "polling", "domain_switched"])
      const calls = yield* fake.registration.calls
      const port = new URL(fake.url).port
      assert.deepStrictEqual(calls.map((call) => `${call.action}@${call.host}`), [
        `init@127.0.0.1:${port}`,
        `begin@127.0.0.1:${port}`,
        `poll@127.0.0.1:${port}`,
        `poll@127.0.0.1:${port}`,
        `poll@localhost:${port}`
      ])
      // the platform-level recorder sees form posts on the one endpoint
      const recorded = yield* fake.callsTo("POST", "/oauth/v1/app/registration")
      assert.strictEqual(recorded.length, 5)
      assert.match(recorded[0]!.headers["content-type"] ?? "", /^application\/x-www-form-urlencoded/)
    }))
})
