import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as Schema from "effect/Schema"
import { ImMessageReceiveV1 } from "../../schemas/events/im/v1.js"
import * as Crypto from "../../src/events/crypto.js"
import * as Dedupe from "../../src/events/Dedupe.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { EventDedupeError } from "../../src/events/errors.js"
import { handle, type Request } from "../../src/events/handle.js"
import * as LarkConfigModule from "../../src/LarkConfig.js"
import { LarkConfig } from "../../src/LarkConfig.js"
import * as Tokens from "../../src/Tokens.js"
import { Service } from "../../src/internal/dialect.js"
import { fork, withLogsTo, yieldNow } from "../dialect.js"

const KEY = "test key"
const TOKEN = "vtoken"

const v2Body = (eventId: string, eventType: string, event: unknown, token: string = TOKEN) =>
  JSON.stringify({
    schema: "2.0",
    header: { event_id: eventId, event_type: eventType, create_time: "1700000000000", token, app_id: "cli_x", tenant_key: "tk" },
    event
  })

const v1Body = (uuid: string, event: unknown, token: string = TOKEN) =>
  JSON.stringify({ ts: "1502199207.7171419", uuid, token, type: "event_callback", event })

const plain = (rawBody: string | Uint8Array): Request => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  rawBody
})

/** Encrypts `plaintext` and signs the resulting raw body with `key`. */
const sealed = (plaintext: string, key: string = KEY): Request => {
  const rawBody = JSON.stringify({ encrypt: Crypto.encrypt(key, plaintext) })
  return signed(rawBody, key)
}

const signed = (rawBody: string | Uint8Array, key: string = KEY): Request => ({
  method: "POST",
  headers: {
    "X-Lark-Request-Timestamp": "1700000000",
    "X-Lark-Request-Nonce": "nonce123",
    "X-Lark-Signature": Crypto.signature("1700000000", "nonce123", key, rawBody)
  },
  rawBody
})

const msgEvent = { message: { message_id: "om_1", chat_id: "oc_1", message_type: "text", content: "{\"text\":\"hi\"}" } }

/** Collects log messages so that tests can assert the typed error is logged and the body is not. */
const withLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const a = yield* self.pipe(
      withLogsTo(({ message }) => void lines.push((Array.isArray(message) ? message : [message]).map(String).join(" ")))
    )
    return [a, lines] as const
  })

describe("url_verification", () => {
  it.effect("plain challenge is echoed; a mismatching token is rejected", () =>
    Effect.gen(function*() {
      const h = handle(EventDispatcher.make({ verificationToken: Redacted.make(TOKEN) }))
      const ok = yield* h(plain(`{"challenge":"abc","token":"${TOKEN}","type":"url_verification"}`))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(JSON.parse(ok.body), { challenge: "abc" })
      const bad = yield* h(plain(`{"challenge":"abc","token":"other","type":"url_verification"}`))
      assert.strictEqual(bad.status, 401)
      assert.notInclude(bad.body, "abc")
    }))

  it.effect("encrypted challenge (E4 vector, no signature headers) is echoed; token mismatch rejected", () =>
    Effect.gen(function*() {
      const h = handle(EventDispatcher.make({ encryptKey: KEY, verificationToken: "t" }))
      const e4 =
        "AAAAAAAAAAAAAAAAAAAAABgLw1kLwGFjbDY7DTSdFkuVG+OktoBZia+FdIlK6+SChw79qp1SCYxbzVGZJUhqKR4/9RcjQWE7yXMOAvqydpw="
      const ok = yield* h(plain(JSON.stringify({ encrypt: e4 })))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(JSON.parse(ok.body), { challenge: "abc" })

      const h2 = handle(EventDispatcher.make({ encryptKey: KEY, verificationToken: "different" }))
      const bad = yield* h2(plain(JSON.stringify({ encrypt: e4 })))
      assert.strictEqual(bad.status, 401)
    }))

  it.effect("with an Encrypt Key, an unsigned challenge in plaintext is answered only when the token it carries authenticates it", () =>
    Effect.gen(function*() {
      const challenge = (token: string) => plain(`{"challenge":"abc","token":"${token}","type":"url_verification"}`)
      // a key and no token: anyone could have sent it (the platform encrypts the challenge of such an app)
      const keyOnly = yield* handle(EventDispatcher.make({ encryptKey: KEY }))(challenge("whatever"))
      assert.strictEqual(keyOnly.status, 401)
      assert.notInclude(keyOnly.body, "abc")
      const keyOnlySealed = yield* handle(EventDispatcher.make({ encryptKey: KEY }))(
        plain(JSON.stringify({ encrypt: Crypto.encrypt(KEY, `{"challenge":"abc","token":"t","type":"url_verification"}`) }))
      )
      assert.deepStrictEqual([keyOnlySealed.status, JSON.parse(keyOnlySealed.body)], [200, { challenge: "abc" }])
      const withToken = handle(EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }))
      assert.strictEqual((yield* withToken(challenge(TOKEN))).status, 200)
      assert.strictEqual((yield* withToken(challenge("other"))).status, 401)
    }))
})

describe("dispatch", () => {
  it.effect("v2 event reaches its handler with the typed payload (encrypted + signed)", () =>
    Effect.gen(function*() {
      const got = yield* Ref.make<Array<string>>([])
      const dispatcher = EventDispatcher.make({ encryptKey: Redacted.make(KEY), verificationToken: TOKEN }).on(
        "im.message.receive_v1",
        (e) => Ref.update(got, (xs) => [...xs, `${e.header.event_id}:${e.event.message?.message_id}:${e.version}`])
      )
      const res = yield* handle(dispatcher)(sealed(v2Body("evt_1", "im.message.receive_v1", msgEvent)))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(JSON.parse(res.body), { msg: "success" })
      assert.deepStrictEqual(yield* Ref.get(got), ["evt_1:om_1:v2"])
    }))

  it.effect("every JSON spelling of an encrypted body is opened alike (the exact platform form has a fast path)", () =>
    Effect.gen(function*() {
      const got = yield* Ref.make<Array<string>>([])
      const h = handle(
        EventDispatcher.make({ encryptKey: KEY }).on("im.message.receive_v1", (e) => Ref.update(got, (xs) => [...xs, e.header.event_id]))
      )
      const ciphertext = (id: string) => Crypto.encrypt(KEY, v2Body(id, "im.message.receive_v1", msgEvent))
      const spellings: Array<[string, string | Uint8Array]> = [
        ["exact", `{"encrypt":"${ciphertext("exact")}"}`],
        ["exact-bytes", Buffer.from(`{"encrypt":"${ciphertext("exact-bytes")}"}`)],
        ["exact-uint8", new TextEncoder().encode(`{"encrypt":"${ciphertext("exact-uint8")}"}`)],
        ["spaces", `{ "encrypt" : "${ciphertext("spaces")}" }`],
        ["escaped-slash", `{"encrypt":"${ciphertext("escaped-slash").replaceAll("/", "\\/")}"}`],
        ["extra-field", `{"encrypt":"${ciphertext("extra-field")}","note":"x"}`],
        ["extra-first", `{"note":"x","encrypt":"${ciphertext("extra-first")}"}`]
      ]
      for (const [, rawBody] of spellings) assert.strictEqual((yield* h(signed(rawBody))).status, 200)
      assert.deepStrictEqual(yield* Ref.get(got), spellings.map(([id]) => id))
      // Not JSON at all, though it starts and ends like the platform's form: 400, no handler.
      for (const broken of [`{"encrypt":"${ciphertext("broken")}"}"}`, `{"encrypt":"`, `{"encrypt":"}`]) {
        assert.strictEqual((yield* h(signed(broken))).status, 400)
      }
      assert.strictEqual((yield* Ref.get(got)).length, spellings.length)
    }))

  it.effect("v2 event with a schema is decoded; a payload the schema rejects gets 400 and no handler", () =>
    Effect.gen(function*() {
      const got = yield* Ref.make(0)
      const h = handle(
        EventDispatcher.make().on("im.message.receive_v1", () => Ref.update(got, (n) => n + 1), {
          schema: ImMessageReceiveV1
        })
      )
      assert.strictEqual((yield* h(plain(v2Body("evt_s1", "im.message.receive_v1", msgEvent)))).status, 200)
      const wrong = yield* h(plain(v2Body("evt_s2", "im.message.receive_v1", { message: { message_id: 42 } })))
      assert.strictEqual(wrong.status, 400)
      assert.strictEqual(yield* Ref.get(got), 1)
    }))

  it.effect("v1 event is routed by event.type", () =>
    Effect.gen(function*() {
      const got = yield* Ref.make<Array<string>>([])
      const h = handle(
        EventDispatcher.make({ verificationToken: TOKEN }).on(
          "message",
          (e) => Ref.update(got, (xs) => [...xs, `${e.uuid}:${e.type}:${e.event.text}`])
        )
      )
      const res = yield* h(plain(v1Body("uuid-1", { type: "message", text: "hello" })))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(yield* Ref.get(got), ["uuid-1:message:hello"])
    }))

  it.effect("unknown type gets 200 and the fallback; without fallback still 200", () =>
    Effect.gen(function*() {
      const got = yield* Ref.make<Array<string>>([])
      const registered = yield* Ref.make(0)
      const d = EventDispatcher.make().on("im.message.receive_v1", () => Ref.update(registered, (n) => n + 1))
      const h = handle(
        d.fallback((e) =>
          Ref.update(got, (xs) => [...xs, e.version === "v2" ? e.header.event_type : e.type])
        )
      )
      const res = yield* h(plain(v2Body("evt_u", "custom.thing_v1", { a: 1 })))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(yield* Ref.get(got), ["custom.thing_v1"])
      assert.strictEqual(yield* Ref.get(registered), 0)

      const bare = yield* handle(d)(plain(v2Body("evt_u2", "custom.thing_v1", {})))
      assert.strictEqual(bare.status, 200)
    }))

  it("registering a type twice throws; the dispatcher is immutable", () => {
    const base = EventDispatcher.make()
    const one = base.on("im.message.receive_v1", () => Effect.void)
    assert.notStrictEqual(one, base)
    assert.strictEqual(base.handlers.size, 0)
    assert.throws(() => one.on("im.message.receive_v1", () => Effect.void), /already registered/)
    assert.throws(() => one.fallback(() => Effect.void).fallback(() => Effect.void), /already registered/)
  })
})

describe("rejections: 4xx, typed error logged, no handler ran", () => {
  const counting = Effect.gen(function*() {
    const ran = yield* Ref.make(0)
    const d = EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN })
      .on("im.message.receive_v1", () => Ref.update(ran, (n) => n + 1))
      .fallback(() => Ref.update(ran, (n) => n + 1))
    return { ran, h: handle(d) }
  })
  const body = v2Body("evt_r", "im.message.receive_v1", msgEvent)

  it.effect("bad signature", () =>
    Effect.gen(function*() {
      const { h, ran } = yield* counting
      const req = sealed(body)
      const tampered = { ...req, headers: { ...req.headers, "X-Lark-Signature": "0".repeat(64) } }
      const [res, logs] = yield* withLogs(h(tampered))
      assert.strictEqual(res.status, 401)
      assert.isTrue(logs.some((l) => l.includes("EventSignatureError")))
      assert.isFalse(logs.some((l) => l.includes(KEY) || l.includes("om_1")))
      // signed with another key
      assert.strictEqual((yield* h(sealed(body, "other key"))).status, 401)
      // no signature headers at all
      assert.strictEqual((yield* h(plain(JSON.stringify({ encrypt: Crypto.encrypt(KEY, body) })))).status, 401)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  it.effect("bad ciphertext (correctly signed)", () =>
    Effect.gen(function*() {
      const { h, ran } = yield* counting
      const good = Buffer.from(Crypto.encrypt(KEY, body), "base64")
      good[good.length - 1] = good[good.length - 1]! ^ 0xff
      const [res, logs] = yield* withLogs(h(signed(JSON.stringify({ encrypt: good.toString("base64") }))))
      assert.strictEqual(res.status, 400)
      assert.isTrue(logs.some((l) => l.includes("EventDecryptError")))
      assert.strictEqual((yield* h(signed(JSON.stringify({ encrypt: "not base64!" })))).status, 400)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  it.effect("malformed JSON (outer body and decrypted body)", () =>
    Effect.gen(function*() {
      const { h, ran } = yield* counting
      const [res, logs] = yield* withLogs(h(signed("{not json")))
      assert.strictEqual(res.status, 400)
      assert.isTrue(logs.some((l) => l.includes("EventDecodeError")))
      assert.strictEqual((yield* h(signed(JSON.stringify({ encrypt: Crypto.encrypt(KEY, "{oops") })))).status, 400)
      assert.strictEqual((yield* h(signed("[1,2]"))).status, 400)
      const plainH = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1)))
      assert.strictEqual((yield* plainH(plain("{\"schema\":"))).status, 400)
      assert.strictEqual((yield* plainH(plain(new Uint8Array([0x7b, 0xff, 0x7d])))).status, 400)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  it.effect("wrong verification token (v2 header.token and v1 token)", () =>
    Effect.gen(function*() {
      const { h, ran } = yield* counting
      const [res, logs] = yield* withLogs(h(sealed(v2Body("evt_t", "im.message.receive_v1", msgEvent, "wrong"))))
      assert.strictEqual(res.status, 401)
      assert.isTrue(logs.some((l) => l.includes("EventTokenError")))
      assert.isFalse(logs.some((l) => l.includes(TOKEN) || l.includes("wrong")))
      assert.strictEqual((yield* h(sealed(v1Body("uuid-t", { type: "message" }, "wrong")))).status, 401)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  it.effect("encrypted body without a configured key", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1)))
      const res = yield* h(plain(JSON.stringify({ encrypt: Crypto.encrypt(KEY, body) })))
      assert.strictEqual(res.status, 400)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))
})

describe("signature over the raw bytes", () => {
  it.effect("a plaintext body with odd whitespace and non-ASCII text verifies; a re-serialised signature does not", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make<Array<string>>([])
      const h = handle(
        EventDispatcher.make({ encryptKey: KEY }).on(
          "contact.user.created_v3",
          (e) => Ref.update(ran, (xs) => [...xs, e.event.object?.name ?? ""])
        )
      )
      const raw = `{ "schema" : "2.0", "header": {"event_id":"evt_raw","event_type":"contact.user.created_v3"},\n "event": {"object": {"name": "张三 Zo\\u00eb"}} }`
      const bytes = new TextEncoder().encode(raw)
      const ok = yield* h(signed(bytes))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(yield* Ref.get(ran), ["张三 Zoë"])

      const reserialised = JSON.stringify(JSON.parse(raw))
      const forged = {
        ...signed(bytes),
        headers: { ...signed(reserialised).headers }
      }
      assert.strictEqual((yield* h(forged)).status, 401)
      assert.strictEqual((yield* Ref.get(ran)).length, 1)
    }))

  it.effect("headers are matched case-insensitively, also as a Headers instance", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make({ encryptKey: KEY }).fallback(() => Ref.update(ran, (n) => n + 1)))
      const req = sealed(v2Body("evt_h", "x.y_v1", {}))
      const res = yield* h({ ...req, headers: new Headers(req.headers as Record<string, string>) })
      assert.strictEqual(res.status, 200)
      assert.strictEqual(yield* Ref.get(ran), 1)
    }))
})

describe("built-in app_ticket", () => {
  it.effect("a v1 app_ticket event is stored with Tokens.setAppTicket when LarkConfig is present", () =>
    Effect.gen(function*() {
      const config = yield* LarkConfig
      const h = handle(EventDispatcher.make({ verificationToken: TOKEN }))
      const res = yield* h(plain(v1Body("uuid-at", { type: "app_ticket", app_id: "cli_x", app_ticket: "ticket-9" })))
      assert.strictEqual(res.status, 200)
      const cached = yield* config.tokenCache.get(Tokens.cacheKey(config, "app_ticket"))
      assert.isTrue(Option.isSome(cached))
      assert.strictEqual(Option.isSome(cached) ? Redacted.value(cached.value.token) : "", "ticket-9")
    }).pipe(Effect.provide(LarkConfigModule.layer({ appId: "cli_x", appSecret: Redacted.make("s"), appType: "marketplace" }))))
})

describe("dedupe", () => {
  it.effect("a duplicate event_id / uuid runs the handler once", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make(0)
      const h = handle(
        EventDispatcher.make({ encryptKey: KEY })
          .on("im.message.receive_v1", () => Ref.update(ran, (n) => n + 1))
          .on("message", () => Ref.update(ran, (n) => n + 100))
      )
      const body = v2Body("evt_d", "im.message.receive_v1", msgEvent)
      assert.strictEqual((yield* h(sealed(body))).status, 200)
      assert.strictEqual((yield* h(sealed(body))).status, 200)
      assert.strictEqual((yield* h(sealed(v1Body("uuid-d", { type: "message" })))).status, 200)
      assert.strictEqual((yield* h(sealed(v1Body("uuid-d", { type: "message" })))).status, 200)
      assert.strictEqual(yield* Ref.get(ran), 101)
    }))

  it.effect("handler failure gets 500 and the redelivery is handled", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const h = handle(
        EventDispatcher.make().on("im.message.receive_v1", () =>
          Effect.flatMap(
            Ref.updateAndGet(attempts, (n) => n + 1),
            (n) => (n === 1 ? Effect.fail(new Error("boom")) : Effect.void)
          ))
      )
      const req = plain(v2Body("evt_f", "im.message.receive_v1", msgEvent))
      const first = yield* h(req)
      assert.strictEqual(first.status, 500)
      assert.notInclude(first.body, "boom")
      assert.strictEqual((yield* h(req)).status, 200)
      assert.strictEqual((yield* h(req)).status, 200)
      assert.strictEqual(yield* Ref.get(attempts), 2)
    }))

  it.effect("a defect in a handler is a 500 too", () =>
    Effect.gen(function*() {
      const h = handle(EventDispatcher.make().fallback(() => Effect.die(new Error("kaput"))))
      assert.strictEqual((yield* h(plain(v2Body("evt_x", "a.b_v1", {})))).status, 500)
    }))

  it.effect("the EventDedupe service in the context is used; ids expire after the TTL (TestClock)", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1)))
      const req = plain(v2Body("evt_ttl", "a.b_v1", {}))
      yield* h(req)
      yield* h(req)
      assert.strictEqual(yield* Ref.get(ran), 1)
      yield* TestClock.adjust("7 hours")
      yield* h(req)
      assert.strictEqual(yield* Ref.get(ran), 1)
      yield* TestClock.adjust("61 minutes")
      yield* h(req)
      assert.strictEqual(yield* Ref.get(ran), 2)
    }).pipe(Effect.provide(Dedupe.layerMemory)))

  it.effect("a custom EventDedupe service replaces the default store", () =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const spy: Dedupe.Service = {
        claim: (id) => Effect.sync(() => (calls.push(`claim:${id}`), "Done" as const)),
        complete: (id) => Effect.sync(() => void calls.push(`complete:${id}`)),
        release: (id) => Effect.sync(() => void calls.push(`release:${id}`))
      }
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1)))
      const res = yield* h(plain(v2Body("evt_spy", "a.b_v1", {}))).pipe(Effect.provideService(Dedupe.EventDedupe, spy))
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(calls, ["claim:evt_spy"])
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  /**
   * Delivers `eventId` again after `meanwhile` while its handler still runs: 500 then (nothing runs twice);
   * once the handler ended, the redelivery gets 200 without running it.
   */
  const redeliveredWhileRunning = (eventId: string, meanwhile: Effect.Effect<void>) =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1).pipe(Effect.andThen(Deferred.await(gate)))))
      const req = plain(v2Body(eventId, "a.b_v1", {}))
      const first = yield* fork(h(req))
      yield* yieldNow
      yield* meanwhile
      const again = yield* fork(h(req)) // a fiber: were the handler run again, it would wait for the gate too
      yield* yieldNow
      assert.strictEqual(yield* Ref.get(ran), 1)
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual((yield* Fiber.join(again)).status, 500)
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      assert.strictEqual((yield* h(req)).status, 200)
      assert.strictEqual(yield* Ref.get(ran), 1)
    })

  it.effect("a concurrent duplicate delivery does not run the handler twice: it gets 500 while the first runs", () =>
    redeliveredWhileRunning("evt_dup", Effect.void))

  it.effect("a handler slower than the claim TTL is not run again by a later redelivery (its holder is alive)", () =>
    // the platform's retry 5 minutes and 15 seconds after the push
    redeliveredWhileRunning("evt_slow", TestClock.adjust(Duration.sum(Dedupe.DEFAULT_CLAIM_TTL, Duration.seconds(15)))))

  it.effect("an interrupted handler releases its claim: the redelivery runs it", () =>
    Effect.gen(function*() {
      const ran = yield* Ref.make(0)
      const h = handle(
        EventDispatcher.make().fallback(() =>
          Effect.flatMap(Ref.updateAndGet(ran, (n) => n + 1), (n) => (n === 1 ? Effect.never : Effect.void))
        )
      )
      const req = plain(v2Body("evt_int", "a.b_v1", {}))
      const first = yield* fork(h(req))
      yield* yieldNow
      yield* Fiber.interrupt(first)
      assert.strictEqual((yield* h(req)).status, 200)
      assert.strictEqual(yield* Ref.get(ran), 2)
    }))

  it.effect("a failing dedupe store gets 500 and runs no handler", () =>
    Effect.gen(function*() {
      const down = new EventDedupeError({ detail: "connection refused" })
      const broken: Dedupe.Service = { claim: () => Effect.fail(down), complete: () => Effect.fail(down), release: () => Effect.fail(down) }
      const ran = yield* Ref.make(0)
      const h = handle(EventDispatcher.make().fallback(() => Ref.update(ran, (n) => n + 1)))
      const res = yield* h(plain(v2Body("evt_down", "a.b_v1", {}))).pipe(Effect.provideService(Dedupe.EventDedupe, broken))
      assert.strictEqual(res.status, 500)
      assert.strictEqual(yield* Ref.get(ran), 0)
    }))

  it.effect("a claim in memory lasts past the claim TTL until it is completed or released; a second release drops nothing", () =>
    Effect.gen(function*() {
      const store = Dedupe.unsafeMakeMemory({ claimTtl: "1 minute" })
      assert.strictEqual(yield* store.claim("evt_slow"), "Claimed")
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(yield* store.claim("evt_slow"), "InProgress")
      yield* store.release("evt_slow")
      assert.strictEqual(yield* store.claim("evt_slow"), "Claimed")
      yield* store.release("evt_slow")
      yield* store.release("evt_slow") // a late release of a claim no longer held
      assert.strictEqual(yield* store.claim("evt_slow"), "Claimed")
      yield* store.complete("evt_slow")
      yield* store.release("evt_slow")
      assert.strictEqual(yield* store.claim("evt_slow"), "Done")
    }))

  it.effect("the memory store keeps many ids apart, prunes expired ones, and survives a clock set back", () =>
    Effect.gen(function*() {
      const store = Dedupe.unsafeMakeMemory()
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      for (let i = 0; i < 1000; i++) {
        assert.strictEqual(yield* store.claim(`evt_${i}`), "Claimed")
        if (i % 2 === 0) yield* store.complete(`evt_${i}`)
        else yield* store.release(`evt_${i}`)
      }
      assert.strictEqual(yield* store.claim("evt_0"), "Done")
      assert.strictEqual(yield* store.claim("evt_1"), "Claimed")
      // an hour back (a corrected system clock): what was done stays done
      yield* TestClock.setTime(Date.UTC(2026, 0, 1) - 60 * 60 * 1000)
      assert.strictEqual(yield* store.claim("evt_2"), "Done")
      // past the TTL every id is forgotten (and pruned), done or not
      yield* TestClock.setTime(Date.UTC(2026, 0, 1) + 9 * 60 * 60 * 1000)
      assert.strictEqual(yield* store.claim("evt_0"), "Claimed")
      assert.strictEqual(yield* store.claim("evt_2"), "Claimed")
      assert.strictEqual(yield* store.claim("evt_1"), "InProgress") // claimed above and never released: still held
    }))

  it("a TTL below 7.2 hours is refused", () => {
    assert.throws(() => Dedupe.unsafeMakeMemory({ ttl: "7 hours" }), RangeError)
    Dedupe.unsafeMakeMemory({ ttl: "8 hours" })
  })
})

// Compile-time checks of the handler typing.
export const _typing = () => {
  EventDispatcher.make().on("im.message.receive_v1", (e) => {
    const id: string | undefined = e.event.message?.message_id
    // @ts-expect-error - not a field of the payload
    void e.event.nope
    return Effect.succeed(id)
  })
  EventDispatcher.make().on("app_ticket", (e) => Effect.succeed(e.event.app_ticket))
  // @ts-expect-error - the schema must match the event type
  EventDispatcher.make().on("app_ticket", () => Effect.void, { schema: ImMessageReceiveV1 })
  class Svc extends Service<Svc, { readonly n: number }>()("Svc") {}
  const d: EventDispatcher.EventDispatcher<Svc> = EventDispatcher.make().on("message", () =>
    Effect.gen(function*() {
      return (yield* Svc).n
    }))
  const run: Effect.Effect<unknown, never, Svc> = handle(d)(plain("{}"))
  return [run, Schema.String]
}
