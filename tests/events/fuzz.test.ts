/**
 * A deterministic fuzz of the webhook entry point: random and mutated bodies and headers never crash it,
 * never reach a handler, and always get a 4xx.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import { handle, type Request } from "../../src/events/handle.js"
import { withLogsTo } from "../dialect.js"

const KEY = "fuzz key"
const TOKEN = "fuzz token"

/** mulberry32: a small seeded generator, so that every run sees the same inputs. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const genuineEvent = JSON.stringify({
  schema: "2.0",
  header: { event_id: "evt_fuzz", event_type: "im.message.receive_v1", token: TOKEN, create_time: "1700000000000" },
  event: { message: { message_id: "om_1", content: "{\"text\":\"hi\"}" } }
})

const sign = (rawBody: Uint8Array | string) => ({
  "x-lark-request-timestamp": "1700000000",
  "x-lark-request-nonce": "n",
  "x-lark-signature": Crypto.signature("1700000000", "n", KEY, rawBody)
})

/** One hostile request: a genuine signed, encrypted event with something broken, or plain garbage. */
const hostile = (next: () => number): Request => {
  const body = new TextEncoder().encode(JSON.stringify({ encrypt: Crypto.encrypt(KEY, genuineEvent) }))
  const headers: Record<string, string> = sign(body)
  const pick = Math.floor(next() * 5)
  if (pick === 0) { // flip bytes of the body, keep the old signature
    const mutated = body.slice()
    for (let i = 0; i < 1 + Math.floor(next() * 4); i++) mutated[Math.floor(next() * mutated.length)] ^= 1 + Math.floor(next() * 255)
    return { method: "POST", headers, rawBody: mutated }
  }
  if (pick === 1) { // a wrong signature on the genuine body
    const signature = headers["x-lark-signature"]!
    const at = Math.floor(next() * signature.length)
    headers["x-lark-signature"] = signature.slice(0, at) + (signature[at] === "0" ? "1" : "0") + signature.slice(at + 1)
    return { method: "POST", headers, rawBody: body }
  }
  if (pick === 2) { // random bytes, correctly signed: must still fail to decode or decrypt
    const junk = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256))
    return { method: "POST", headers: sign(junk), rawBody: junk }
  }
  if (pick === 3) { // a signed JSON body whose ciphertext is random base64
    const bytes = Buffer.from(Uint8Array.from({ length: 16 * (1 + Math.floor(next() * 6)) }, () => Math.floor(next() * 256)))
    const rawBody = JSON.stringify({ encrypt: bytes.toString("base64") })
    return { method: "POST", headers: sign(rawBody), rawBody }
  }
  // a truncated body with its signature, or missing signature headers
  const cut = body.slice(0, Math.floor(next() * body.length))
  return { method: "POST", headers: next() < 0.5 ? sign(cut) : {}, rawBody: cut }
}

describe("webhook fuzz", () => {
  it.effect("10,000 hostile requests: no crash, no handler, a 4xx each", () =>
    Effect.gen(function*() {
      let handled = 0
      const respond = handle(
        EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN })
          .on("im.message.receive_v1", () => Effect.sync(() => handled++))
          .fallback(() => Effect.sync(() => handled++))
      )
      const next = random(20261126)
      const statuses = new Map<number, number>()
      for (let i = 0; i < 10_000; i++) {
        const response = yield* respond(hostile(next))
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      }
      assert.strictEqual(handled, 0)
      for (const status of statuses.keys()) assert.isTrue(status >= 400 && status < 500, `status ${status}`)
      // the genuine request still goes through afterwards
      const body = JSON.stringify({ encrypt: Crypto.encrypt(KEY, genuineEvent) })
      const genuine = yield* respond({ method: "POST", headers: sign(body), rawBody: body })
      assert.strictEqual(genuine.status, 200)
      assert.strictEqual(handled, 1)
    }).pipe(withLogsTo(() => {})), 120_000)

  it.effect("5,000 hostile legacy card actions: no crash, no handler, a 4xx each", () =>
    Effect.gen(function*() {
      let handled = 0
      const respond = handleCardAction(
        EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN })
          .onCardAction(() => Effect.sync(() => void handled++))
          .on("card.action.trigger", () => Effect.sync(() => void handled++))
      )
      const genuine = new TextEncoder().encode(
        JSON.stringify({ open_id: "ou_f", open_message_id: "om_f", token: "c-f", action: { tag: "button", value: { k: "v" } } })
      )
      const signCard = (rawBody: Uint8Array, token = TOKEN) => ({
        "x-lark-request-timestamp": "1700000000",
        "x-lark-request-nonce": "n",
        "x-lark-signature": Crypto.cardSignature("1700000000", "n", token, rawBody)
      })
      const next = random(4242)
      const statuses = new Map<number, number>()
      for (let i = 0; i < 5_000; i++) {
        const pick = Math.floor(next() * 3)
        let request: Request
        if (pick === 0) { // flipped bytes under the genuine signature
          const mutated = genuine.slice()
          for (let j = 0; j < 1 + Math.floor(next() * 4); j++) mutated[Math.floor(next() * mutated.length)] ^= 1 + Math.floor(next() * 255)
          request = { method: "POST", headers: signCard(genuine), rawBody: mutated }
        } else if (pick === 1) { // the genuine body signed with another token, or with the event scheme
          request = {
            method: "POST",
            headers: next() < 0.5 ? signCard(genuine, "not the token") : sign(genuine),
            rawBody: genuine
          }
        } else { // truncated, signed or not
          const cut = genuine.slice(0, Math.floor(next() * genuine.length))
          request = { method: "POST", headers: next() < 0.5 ? signCard(genuine) : {}, rawBody: cut }
        }
        const response = yield* respond(request)
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      }
      assert.strictEqual(handled, 0)
      for (const status of statuses.keys()) assert.isTrue(status >= 400 && status < 500, `status ${status}`)
      assert.strictEqual((yield* respond({ method: "POST", headers: signCard(genuine), rawBody: genuine })).status, 200)
      assert.strictEqual(handled, 1)
    }).pipe(withLogsTo(() => {})), 120_000)
})
