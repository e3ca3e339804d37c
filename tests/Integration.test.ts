/**
 * The SDK through the real Node transport (undici) against the fake Open Platform on 127.0.0.1, with faults.
 * What every wiring must do is in `layers/wirings.test.ts`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { HttpLive, layer } from "../layers/index.js"
import * as FakeNode from "../layers/testing.js"
import * as LarkConfig from "../src/LarkConfig.js"
import { Answer, FakeOpenPlatform } from "../src/testing/FakeOpenPlatform.js"
import { user } from "./fixtures/operations.js"
import { callsTo, hello, quickRetries, withPlatformOn } from "./fixtures/platform.js"
import * as Pagination from "../src/Pagination.js"

/** A fake platform and an SDK on undici configured for it, both fresh for each test. */
const withPlatform = withPlatformOn(layer)

describe("against the fake Open Platform (undici, loopback)", () => {
  it.live("follows every page of a department's users", () =>
    withPlatform(() =>
      Effect.gen(function*() {
        const users = yield* Stream.runCollect(Pagination.items(user.findByDepartment, { params: { department_id: "od_1", page_size: 2 } }))
        assert.strictEqual(users.length, 5)
      })
    ))

  it.live("a POST whose connection drops is not sent again", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.drop())
        const error = yield* Effect.flip(hello)
        assert.strictEqual(error._tag, "LarkHttpError")
        assert.isTrue(error._tag === "LarkHttpError" && error.maybeApplied)
        assert.strictEqual(yield* callsTo(fake, "POST", "/open-apis/im/v1/messages"), 1)
      })
    ))

  it.live("a GET whose connection drops is sent again", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        yield* fake.program("GET", "/open-apis/contact/v3/users/find_by_department", Answer.drop(), Answer.serverError(503))
        const page = yield* user.findByDepartment({ params: { department_id: "od_1" } })
        assert.isArray(page.items)
        assert.strictEqual(yield* callsTo(fake, "GET", "/open-apis/contact/v3/users/find_by_department"), 3)
      })
    ))

  it.live("a POST answered 500 is sent once; a 429 is sent again after the reset", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.serverError(500))
        const error = yield* Effect.flip(hello)
        assert.strictEqual(error._tag === "LarkApiError" && error.httpStatus, 500)
        assert.strictEqual(yield* callsTo(fake, "POST", "/open-apis/im/v1/messages"), 1)

        yield* fake.program("POST", "/open-apis/im/v1/messages", Answer.rateLimited(1))
        const sent = yield* hello
        assert.match(sent.message_id!, /^om_/)
        assert.strictEqual(yield* callsTo(fake, "POST", "/open-apis/im/v1/messages"), 3)
      })
    ))

  it.live("tokens the platform revoked are replaced once, transparently", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        yield* hello
        yield* fake.expireTokens
        yield* hello
        assert.strictEqual(yield* fake.tokenFetches, 2)
        assert.strictEqual(yield* callsTo(fake, "POST", "/open-apis/im/v1/messages"), 3)
      })
    ))
})

describe("a keyless app against the fake Open Platform", () => {
  it.live("trades its client assertion for one tenant token, then calls; a forged one gets a LarkTokenError", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const withDomain = (assertion: string) =>
        Layer.merge(
          LarkConfig.layer({
            appId: "cli_keyless",
            clientAssertion: () => Effect.succeed(Redacted.make(assertion)),
            domain: fake.url,
            retrySchedule: quickRetries
          }),
          HttpLive
        )
      yield* Effect.provide(Effect.zip(hello, hello), withDomain("jwt-keyless"))
      const [grant] = yield* fake.callsTo("POST", "/oauth/v3/token")
      assert.strictEqual(yield* fake.tokenFetches, 1)
      assert.deepStrictEqual(grant!.body._tag === "Json" && grant!.body.value, {
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: "jwt-keyless",
        client_id: "cli_keyless"
      })
      assert.strictEqual(yield* callsTo(fake, "POST", "/open-apis/im/v1/messages"), 2)

      const error = yield* Effect.flip(Effect.provide(hello, withDomain("jwt-forged")))
      assert.strictEqual(error._tag, "LarkTokenError")
      assert.notInclude(error.message, "jwt-forged")
    }).pipe(Effect.provide(FakeNode.fakeOpenPlatform({ apps: [{ appId: "cli_keyless", clientAssertion: "jwt-keyless" }] }))))
})
