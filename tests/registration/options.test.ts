import { gunzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import {
  type AppAddons,
  encodeAddons,
  normalizeAddons,
  registerApp,
  type RegisterAppOptions,
  RegistrationOptionsError
} from "../../src/registration/index.js"
import { getFailure, getSuccess, isFailure, type Outcome } from "../../src/internal/dialect.js"
import * as FakeRegistration from "../../src/testing/FakeRegistration.js"

/** The decoder the page uses, written independently: base64url -> gunzip -> JSON. */
const decodeAddons = (text: string): unknown =>
  JSON.parse(gunzipSync(Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")).toString("utf8"))

/** The QR code URL `registerApp` emits for these options (against the in-process fake). */
const qrUrl = (options: RegisterAppOptions) =>
  Effect.gen(function*() {
    const [first] = yield* Stream.runCollect(Stream.take(registerApp(options), 1))
    assert.strictEqual(first?._tag, "QrCode")
    return new URL(first?._tag === "QrCode" ? first.url : "")
  }).pipe(Effect.provide(FakeRegistration.layer()))

const fullAddons: AppAddons = {
  preset: true,
  scopes: { tenant: ["im:message:send_as_bot", "im:chat:readonly"], user: ["calendar:calendar:read"] },
  events: { items: { tenant: ["im.message.receive_v1"], user: ["calendar.calendar.event.changed_v4"] } },
  callbacks: { items: ["card.action.trigger"] }
}

describe("the QR URL", () => {
  it.effect("keeps the server's query and adds from, tp and source (with the caller's tag)", () =>
    Effect.gen(function*() {
      const plain = yield* qrUrl({})
      assert.strictEqual(plain.origin + plain.pathname, "https://accounts.feishu.invalid/page/launcher")
      assert.deepStrictEqual([...plain.searchParams], [
        ["user_code", "FAKE-0001"],
        ["from", "sdk"],
        ["tp", "sdk"],
        ["source", "lark-effect"]
      ])
      const tagged = yield* qrUrl({ source: "my-bot" })
      assert.strictEqual(tagged.searchParams.get("source"), "lark-effect/my-bot")
    }))

  it.effect("pre-fills name ({user} and CJK), desc (space as +) and several avatars in order", () =>
    Effect.gen(function*() {
      const avatars = ["https://cdn.example.com/a.png", "https://cdn.example.com/b.webp?x=1&y=2", "https://cdn.example.com/c.gif"]
      const url = yield* qrUrl({ appPreset: { name: "{user}的应用", desc: "Made by {user} & co", avatar: avatars } })
      assert.deepStrictEqual(url.searchParams.getAll("avatar"), avatars)
      assert.strictEqual(url.searchParams.get("name"), "{user}的应用")
      assert.strictEqual(url.searchParams.get("desc"), "Made by {user} & co")
      // the exact bytes on the wire: the SDK encodes, the page replaces {user}
      assert.include(url.search, "name=%7Buser%7D%E7%9A%84%E5%BA%94%E7%94%A8")
      assert.include(url.search, "desc=Made+by+%7Buser%7D+%26+co")
      assert.include(url.search, "avatar=https%3A%2F%2Fcdn.example.com%2Fb.webp%3Fx%3D1%26y%3D2")
      const single = yield* qrUrl({ appPreset: { avatar: "https://cdn.example.com/only.png" } })
      assert.deepStrictEqual(single.searchParams.getAll("avatar"), ["https://cdn.example.com/only.png"])
      assert.isFalse(single.searchParams.has("name"))
      assert.isFalse(single.searchParams.has("desc"))
    }))

  it.effect("carries addons as URL-safe gzip+base64url that decodes back to the input", () =>
    Effect.gen(function*() {
      const url = yield* qrUrl({ addons: fullAddons })
      const encoded = url.searchParams.get("addons")!
      assert.match(encoded, /^[A-Za-z0-9_-]+$/)
      assert.include(url.search, `addons=${encoded}`) // needs no further escaping
      assert.deepStrictEqual(decodeAddons(encoded), fullAddons)
    }))

  it.effect("createOnly only when true; appId as clientID", () =>
    Effect.gen(function*() {
      assert.isFalse((yield* qrUrl({})).searchParams.has("createOnly"))
      assert.isFalse((yield* qrUrl({ createOnly: false })).searchParams.has("createOnly"))
      const both = yield* qrUrl({ createOnly: true, appId: "cli_a1b2c3" })
      assert.deepStrictEqual(both.searchParams.getAll("createOnly"), ["true"])
      assert.deepStrictEqual(both.searchParams.getAll("clientID"), ["cli_a1b2c3"])
      assert.isFalse((yield* qrUrl({})).searchParams.has("clientID"))
    }))
})

/** The success of an outcome; its failure is thrown. */
const orThrow = <A, E>(outcome: Outcome<A, E>): A => {
  if (isFailure(outcome)) throw getFailure(outcome)
  return getSuccess(outcome)
}

describe("addons", () => {
  it("rebuilds from validated fields only, compact JSON, and keeps preset: false with no items", () => {
    const normalized = orThrow(normalizeAddons({ scopes: { user: ["a:b"] }, events: {} }))
    assert.deepStrictEqual(normalized, { scopes: { user: ["a:b"] }, events: {} })
    assert.deepStrictEqual(decodeAddons(encodeAddons(normalized)), normalized)
    assert.deepStrictEqual(orThrow(normalizeAddons({ preset: false })), { preset: false })
    // gzip is deterministic (mtime 0), so the same addons always give the same URL
    assert.strictEqual(encodeAddons(fullAddons), encodeAddons(fullAddons))
  })

  const rejected: ReadonlyArray<readonly [string, unknown, string]> = [
    ["not an object", ["im:message"], "addons"],
    ["null", null, "addons"],
    ["an unknown top-level key", { scopes: { tenant: ["a"] }, request_url: "https://x" }, "addons.request_url"],
    ["an unknown scopes key", { scopes: { bot: ["a"] } }, "addons.scopes.bot"],
    ["events without items", { events: { tenant: ["e"] } }, "addons.events.tenant"],
    ["an unknown events.items key", { events: { items: { app: ["e"] } } }, "addons.events.items.app"],
    ["a callbacks key besides items", { callbacks: { items: ["c"], url: "x" } }, "addons.callbacks.url"],
    ["a section that is not an object", { scopes: ["a"] }, "addons.scopes"],
    ["a list that is a string", { scopes: { tenant: "im:message" } }, "addons.scopes.tenant"],
    ["an empty item", { callbacks: { items: ["card.action.trigger", ""] } }, "addons.callbacks.items[1]"],
    ["a non-string item", { events: { items: { user: ["e", 3] } } }, "addons.events.items.user[1]"],
    ["a non-boolean preset", { preset: "false", scopes: { tenant: ["a"] } }, "addons.preset"],
    ["no item at all", { scopes: { tenant: [] }, callbacks: { items: [] } }, "addons"],
    ["an empty object", {}, "addons"]
  ]
  for (const [name, input, option] of rejected) {
    it(`rejects ${name} (${option})`, () => {
      const result = normalizeAddons(input)
      assert.isTrue(isFailure(result))
      if (isFailure(result)) assert.strictEqual(getFailure(result).option, option)
    })
  }
})

describe("bad options fail before any request", () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ["7 avatars", { appPreset: { avatar: Array.from({ length: 7 }, (_, i) => `https://x/${i}.png`) } }, "appPreset.avatar"],
    ["no avatar in the list", { appPreset: { avatar: [] } }, "appPreset.avatar"],
    ["an empty avatar", { appPreset: { avatar: ["https://x/a.png", " "] } }, "appPreset.avatar[1]"],
    ["an avatar that is a number", { appPreset: { avatar: 1 } }, "appPreset.avatar"],
    ["a name that is not a string", { appPreset: { name: 42 } }, "appPreset.name"],
    ["bad addons", { addons: { scopes: { tenant: [""] } } }, "addons.scopes.tenant[0]"],
    ["an empty appId", { appId: "" }, "appId"],
    ["a non-boolean createOnly", { createOnly: "yes" }, "createOnly"],
    ["a non-http domain", { domain: "ftp://accounts.feishu.cn" }, "domain"],
    ["an empty larkDomain", { larkDomain: "" }, "larkDomain"]
  ]
  for (const [name, options, option] of cases) {
    it.effect(`${name} -> RegistrationOptionsError(${option})`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeRegistration.FakeRegistration
        const error = yield* Effect.flip(Stream.runDrain(registerApp(options as RegisterAppOptions)))
        assert.instanceOf(error, RegistrationOptionsError)
        assert.strictEqual((error as RegistrationOptionsError).option, option)
        assert.deepStrictEqual(yield* fake.calls, [])
      }).pipe(Effect.provide(FakeRegistration.layer())))
  }

  it.effect("6 avatars are fine; hosts, names and URLs are accepted as domains", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRegistration.FakeRegistration
      const six = Array.from({ length: 6 }, (_, i) => `https://x/${i}.png`)
      yield* Stream.runDrain(Stream.take(registerApp({ appPreset: { avatar: six }, domain: "https://accounts.example.test/" }), 1))
      yield* Stream.runDrain(Stream.take(registerApp({ domain: "accounts.example.test:8443" }), 1))
      yield* Stream.runDrain(Stream.take(registerApp({ domain: "Lark" }), 1))
      assert.deepStrictEqual((yield* fake.callsOf("begin")).map((call) => call.host), [
        "accounts.example.test",
        "accounts.example.test:8443",
        "accounts.larksuite.com"
      ])
    }).pipe(Effect.provide(FakeRegistration.layer())))
})
