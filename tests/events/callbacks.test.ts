/**
 * Card callbacks: v2 `card.action.trigger` / `url.preview.get` with typed responses, the legacy card-action
 * protocol (flat body, SHA-1 signature with the Verification Token), and the replay window.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { CardResponse } from "../../src/events/callbacks.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle, type Request } from "../../src/events/handle.js"
import { withLogsTo } from "../dialect.js"

const KEY = "test key"
const TOKEN = "vtoken"

const callbackBody = (eventId: string, eventType: string, event: unknown) =>
  JSON.stringify({
    schema: "2.0",
    header: { event_id: eventId, event_type: eventType, create_time: "1700000000000", token: TOKEN, app_id: "cli_x", tenant_key: "tk" },
    event
  })

const signedWith = (sign: typeof Crypto.signature, secret: string, rawBody: string, timestamp = "1700000000"): Request => ({
  method: "POST",
  headers: {
    "x-lark-request-timestamp": timestamp,
    "x-lark-request-nonce": "nonce123",
    "x-lark-signature": sign(timestamp, "nonce123", secret, rawBody)
  },
  rawBody
})

/** Encrypted with KEY and signed like the platform. */
const sealed = (plaintext: string, timestamp?: string): Request =>
  signedWith(Crypto.signature, KEY, JSON.stringify({ encrypt: Crypto.encrypt(KEY, plaintext) }), timestamp)

const action = {
  operator: { open_id: "ou_1", tenant_key: "tk" },
  token: "c-123",
  action: { tag: "button", value: { vote: "yes" } },
  host: "im_message",
  context: { open_message_id: "om_1", open_chat_id: "oc_1" }
}

/** Collects log lines so that tests can assert which typed error was logged. */
const withLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const a = yield* self.pipe(
      withLogsTo(({ message }) => void lines.push((Array.isArray(message) ? message : [message]).map(String).join(" ")))
    )
    return [a, lines] as const
  })

describe("card.action.trigger and url.preview.get", () => {
  it.effect("the handler gets the typed action; its toast + card response is the reply body", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<string>>([])
      const respond = handle(
        EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).on("card.action.trigger", ({ event }) =>
          Effect.as(
            Ref.update(seen, (xs) => [...xs, `${event.operator?.open_id}:${JSON.stringify(event.action?.value)}:${event.token}`]),
            { ...CardResponse.toast("success", "voted", { en_us: "voted" }), ...CardResponse.card({ elements: [] }) }
          ))
      )
      const reply = yield* respond(sealed(callbackBody("evt_c1", "card.action.trigger", action)))
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(JSON.parse(reply.body), {
        toast: { type: "success", content: "voted", i18n: { en_us: "voted" } },
        card: { type: "raw", data: { elements: [] } }
      })
      assert.deepStrictEqual(yield* Ref.get(seen), ["ou_1:{\"vote\":\"yes\"}:c-123"])
    }))

  it.effect("a handler that returns nothing is answered {} (not {\"msg\":\"success\"})", () =>
    Effect.gen(function*() {
      const respond = handle(EventDispatcher.make().on("card.action.trigger", () => Effect.void))
      const reply = yield* respond(signedWith(Crypto.signature, "", callbackBody("evt_c2", "card.action.trigger", action)))
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.body, "{}")
    }))

  it.effect("a callback that reaches the fallback is answered {}: what the fallback returns is no answer", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const respond = handle(EventDispatcher.make().fallback((event) => Effect.sync(() => seen.push(event.version === "v2" ? event.header.event_type : event.type))))
      const reply = yield* respond(signedWith(Crypto.signature, "", callbackBody("evt_c3", "card.action.trigger", action)))
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.body, "{}")
      assert.deepStrictEqual(seen, ["card.action.trigger"])
    }))

  it.effect("url.preview.get answers its inline preview; a template card is built by CardResponse.template", () =>
    Effect.gen(function*() {
      const respond = handle(
        EventDispatcher.make({ encryptKey: KEY })
          .on("url.preview.get", ({ event }) =>
            Effect.succeed({
              inline: { title: `preview of ${event.context?.url}`, url: { pc: event.context?.url } },
              ...CardResponse.template("tpl_1", { n: 1 }, "1.0.0")
            }))
      )
      const reply = yield* respond(
        sealed(callbackBody("evt_p1", "url.preview.get", { context: { url: "https://example.com/x" } }))
      )
      assert.deepStrictEqual(JSON.parse(reply.body), {
        inline: { title: "preview of https://example.com/x", url: { pc: "https://example.com/x" } },
        card: { type: "template", data: { template_id: "tpl_1", template_variable: { n: 1 }, template_version_name: "1.0.0" } }
      })
    }))

  it.effect("a failing callback handler gets 500; a response JSON cannot encode is a 500 too", () =>
    Effect.gen(function*() {
      const failing = handle(EventDispatcher.make().on("card.action.trigger", () => Effect.fail("boom")))
      assert.strictEqual((yield* failing({ method: "POST", headers: {}, rawBody: callbackBody("e1", "card.action.trigger", action) })).status, 500)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const runs = yield* Ref.make(0)
      const bad = handle(
        EventDispatcher.make().on("card.action.trigger", () => Effect.as(Ref.update(runs, (n) => n + 1), CardResponse.card(cyclic)))
      )
      const delivery = { method: "POST", headers: {}, rawBody: callbackBody("e2", "card.action.trigger", action) }
      assert.strictEqual((yield* bad(delivery)).status, 500)
      // the 500 asks for a redelivery, so the id is not recorded as done: the redelivery runs the handler again
      assert.strictEqual((yield* bad(delivery)).status, 500)
      assert.strictEqual(yield* Ref.get(runs), 2)
    }).pipe(withLogsTo(() => {})))

  it.effect("a callback without a handler, or delivered again, is answered {}, never {\"msg\":\"success\"}", () =>
    Effect.gen(function*() {
      const unhandled = yield* handle(EventDispatcher.make())(signedWith(Crypto.signature, "", callbackBody("evt_u1", "url.preview.get", {})))
      assert.deepStrictEqual([unhandled.status, unhandled.body], [200, "{}"])
      const respond = handle(EventDispatcher.make().on("card.action.trigger", () => Effect.succeed(CardResponse.toast("info", "hi"))))
      const delivery = signedWith(Crypto.signature, "", callbackBody("evt_u2", "card.action.trigger", action))
      assert.deepStrictEqual(JSON.parse((yield* respond(delivery)).body), { toast: { type: "info", content: "hi" } })
      const again = yield* respond(delivery)
      assert.deepStrictEqual([again.status, again.body], [200, "{}"])
      // an event is still acknowledged as before
      const event = yield* handle(EventDispatcher.make())(signedWith(Crypto.signature, "", callbackBody("evt_u3", "im.chat.updated_v1", {})))
      assert.deepStrictEqual(JSON.parse(event.body), { msg: "success" })
    }))

  it("handlers must return the callback's response type (checked by tsc)", () => {
    const d = EventDispatcher.make()
    // @ts-expect-error a toast type outside info | success | warning | error
    d.on("card.action.trigger", () => Effect.succeed({ toast: { type: "loud" as const, content: "x" } }))
    // @ts-expect-error a number is not a response
    d.on("url.preview.get", () => Effect.succeed(42))
    // events may return anything; their result is ignored
    d.on("im.message.receive_v1", () => Effect.succeed(42))
  })
})

describe("legacy card action (handleCardAction)", () => {
  const legacyBody = "{\"open_id\":\"ou_x\",\"token\":\"c-x\",\"action\":{\"tag\":\"button\",\"value\":{\"k\":\"v\"}}}"

  it("cardSignature matches the spec's computed SHA-1 vector", () => {
    assert.strictEqual(Crypto.cardSignature("1700000000", "nonce123", TOKEN, legacyBody), "6918ed0e214bc2b0d6a38f39a4ad67745e0b576b")
  })

  it.effect("a signed legacy action reaches onCardAction; the card it returns is the reply; a forged one gets 401", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<string>>([])
      const respond = handleCardAction(
        EventDispatcher.make({ verificationToken: TOKEN }).onCardAction((a) =>
          Effect.as(Ref.update(seen, (xs) => [...xs, `${a.open_id}:${JSON.stringify(a.action?.value)}`]), {
            header: { title: { tag: "plain_text", content: "done" } }
          }))
      )
      const genuine = signedWith(Crypto.cardSignature, TOKEN, legacyBody)
      assert.strictEqual(genuine.headers["x-lark-signature" as keyof typeof genuine.headers], "6918ed0e214bc2b0d6a38f39a4ad67745e0b576b")
      const ok = yield* respond(genuine)
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(JSON.parse(ok.body), { header: { title: { tag: "plain_text", content: "done" } } })

      const [forged, logs] = yield* withLogs(respond(signedWith(Crypto.cardSignature, "other token", legacyBody)))
      assert.strictEqual(forged.status, 401)
      assert.isTrue(logs.some((line) => line.includes("EventSignatureError")))
      const unsigned = yield* respond({ method: "POST", headers: {}, rawBody: legacyBody })
      assert.strictEqual(unsigned.status, 401)
      // a SHA-256 event signature does not authenticate a legacy body
      assert.strictEqual((yield* respond(signedWith(Crypto.signature, TOKEN, legacyBody))).status, 401)
      assert.deepStrictEqual(yield* Ref.get(seen), ["ou_x:{\"k\":\"v\"}"])
    }))

  it.effect("challenge: echoed when the tokens agree, 401 when not; no handler is needed", () =>
    Effect.gen(function*() {
      const respond = handleCardAction(EventDispatcher.make({ verificationToken: TOKEN }))
      const ok = yield* respond({ method: "POST", headers: {}, rawBody: `{"challenge":"ch1","token":"${TOKEN}","type":"url_verification"}` })
      assert.deepStrictEqual(JSON.parse(ok.body), { challenge: "ch1" })
      const bad = yield* respond({ method: "POST", headers: {}, rawBody: "{\"challenge\":\"ch1\",\"token\":\"x\",\"type\":\"url_verification\"}" })
      assert.strictEqual(bad.status, 401)
    }).pipe(withLogsTo(() => {})))

  it.effect("nothing returned: {\"msg\":\"success\"}; a failing handler: 500; no token configured: accepted unsigned", () =>
    Effect.gen(function*() {
      const count = yield* Ref.make(0)
      const quiet = handleCardAction(EventDispatcher.make().onCardAction(() => Ref.update(count, (n) => n + 1)))
      const ok = yield* quiet({ method: "POST", headers: {}, rawBody: legacyBody })
      assert.deepStrictEqual([ok.status, JSON.parse(ok.body)], [200, { msg: "success" }])
      assert.strictEqual(yield* Ref.get(count), 1)
      const failing = handleCardAction(EventDispatcher.make().onCardAction(() => Effect.die("bug")))
      assert.strictEqual((yield* failing({ method: "POST", headers: {}, rawBody: legacyBody })).status, 500)
      const malformed = yield* quiet({ method: "POST", headers: {}, rawBody: "{\"open_id\":" })
      assert.strictEqual(malformed.status, 400)
      assert.strictEqual((yield* quiet({ method: "GET", headers: {}, rawBody: "" })).status, 405)
      assert.strictEqual(yield* Ref.get(count), 1)
    }).pipe(withLogsTo(() => {})))

  it.effect("an Encrypt Key without a token: a plaintext action or challenge is forged (401, no handler); an encrypted, signed one runs", () =>
    Effect.gen(function*() {
      const count = yield* Ref.make(0)
      const respond = handleCardAction(
        EventDispatcher.make({ encryptKey: KEY }).onCardAction(() => Effect.as(Ref.update(count, (n) => n + 1), undefined))
      )
      const [forged, logs] = yield* withLogs(respond({ method: "POST", headers: {}, rawBody: legacyBody }))
      assert.strictEqual(forged.status, 401)
      assert.isTrue(logs.some((line) => line.includes("EventSignatureError")))
      const challenge = yield* respond({ method: "POST", headers: {}, rawBody: "{\"challenge\":\"ch1\",\"type\":\"url_verification\"}" })
      assert.strictEqual(challenge.status, 401)
      assert.notInclude(challenge.body, "ch1")
      assert.strictEqual(yield* Ref.get(count), 0)
      assert.strictEqual((yield* respond(sealed(legacyBody))).status, 200)
      assert.strictEqual(yield* Ref.get(count), 1)
    }))

  it.effect("an encrypted (new-style) body at the card URL is handled as a v2 callback", () =>
    Effect.gen(function*() {
      const respond = handleCardAction(
        EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN })
          .on("card.action.trigger", () => Effect.succeed(CardResponse.toast("info", "v2")))
          .onCardAction(() => Effect.die("the legacy handler must not run"))
      )
      const reply = yield* respond(sealed(callbackBody("evt_n1", "card.action.trigger", action)))
      assert.deepStrictEqual(JSON.parse(reply.body), { toast: { type: "info", content: "v2" } })
    }))

  it("onCardAction twice is an error", () => {
    const d = EventDispatcher.make().onCardAction(() => Effect.void)
    assert.throws(() => d.onCardAction(() => Effect.void), /already registered/)
  })
})

describe("replay window (maxClockSkew)", () => {
  const event = callbackBody("evt_w1", "im.message.receive_v1", { message: { message_id: "om_w" } })

  it.effect("a signed request inside the window is handled; outside it (either side) or non-numeric: 401, no handler", () =>
    Effect.gen(function*() {
      const count = yield* Ref.make(0)
      const respond = handle(
        EventDispatcher.make({ encryptKey: KEY, maxClockSkew: "5 minutes" }).on("im.message.receive_v1", () =>
          Ref.update(count, (n) => n + 1))
      )
      yield* TestClock.setTime(1_700_000_000_000 + 4 * 60_000) // 4 minutes after the request's timestamp
      assert.strictEqual((yield* respond(sealed(event))).status, 200)

      yield* TestClock.adjust("2 minutes") // now 6 minutes late
      const [late, logs] = yield* withLogs(respond(sealed(event.replace("evt_w1", "evt_w2"))))
      assert.strictEqual(late.status, 401)
      assert.isTrue(logs.some((line) => line.includes("EventTimestampError")))
      const early = yield* respond(sealed(event.replace("evt_w1", "evt_w3"), "1700001000")) // 14 minutes ahead
      assert.strictEqual(early.status, 401)
      const notSeconds = yield* respond(sealed(event.replace("evt_w1", "evt_w4"), "Mon, 14 Nov 2022 15:53:37 GMT"))
      assert.strictEqual(notSeconds.status, 401)
      assert.strictEqual(yield* Ref.get(count), 1)
    }))

  it.effect("the legacy card URL applies the window too", () =>
    Effect.gen(function*() {
      const respond = handleCardAction(EventDispatcher.make({ verificationToken: TOKEN, maxClockSkew: "1 minute" }).onCardAction(() => Effect.void))
      const body = "{\"open_id\":\"ou_x\",\"action\":{\"tag\":\"button\"}}"
      yield* TestClock.setTime(1_700_000_030_000)
      assert.strictEqual((yield* respond(signedWith(Crypto.cardSignature, TOKEN, body))).status, 200)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* respond(signedWith(Crypto.cardSignature, TOKEN, body))).status, 401)
    }).pipe(withLogsTo(() => {})))

  it("a window that is not positive is a programming error", () => {
    assert.throws(() => EventDispatcher.make({ maxClockSkew: 0 }), RangeError)
  })

  it.effect("an empty encrypt key or verification token is none, as in node-sdk: the challenge and unsigned events are answered", () =>
    Effect.gen(function*() {
      for (const secrets of [{ encryptKey: "", verificationToken: "" }, { encryptKey: Redacted.make(""), verificationToken: Redacted.make("") }]) {
        let handled = 0
        const respond = handle(EventDispatcher.make(secrets).on("card.action.trigger", () => Effect.sync(() => void handled++)))
        const challenge = yield* respond({ method: "POST", headers: {}, rawBody: JSON.stringify({ type: "url_verification", challenge: "c-1", token: "" }) })
        assert.deepStrictEqual([challenge.status, JSON.parse(challenge.body)], [200, { challenge: "c-1" }])
        const reply = yield* respond({ method: "POST", headers: {}, rawBody: callbackBody("evt_e1", "card.action.trigger", action) })
        assert.strictEqual(reply.status, 200)
        assert.strictEqual(handled, 1)
      }
    }))
})
