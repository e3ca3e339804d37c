/**
 * A legacy card action of an app with an Encrypt Key arrives at the card request URL as `{"encrypt": "..."}`,
 * signed with the Encrypt Key (SHA-256), and decrypts to the flat action. `handleCardAction` decrypts it and
 * runs the `onCardAction` handler, as the official SDKs do. node-sdk's `CardActionHandler` is the oracle for
 * the sealing: it accepts exactly what the fake platform sends.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { CardActionHandler } from "@larksuiteoapi/node-sdk"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { fakeOpenPlatform } from "../../layers/testing.js"
import type { LegacyCardAction } from "../../src/events/callbacks.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import type { Request } from "../../src/events/handle.js"
import { nodeListener } from "../../src/events/nodeListener.js"
import { callback } from "../../src/internal/dialect.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { seal } from "../../src/testing/pushEvent.js"
import { appRuntime, withLogsTo } from "../dialect.js"

const KEY = "card encrypt key"
const TOKEN = "card verification token"

const action: LegacyCardAction = {
  open_id: "ou_clicker",
  open_message_id: "om_card",
  tenant_key: "tk",
  token: "c-update-token",
  action: { tag: "button", value: { vote: "yes" } }
}

const quiet = withLogsTo(() => {})

const dispatcherSeeing = (seen: Ref.Ref<Array<LegacyCardAction>>) =>
  EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).onCardAction((received) =>
    Effect.as(
      Ref.update(seen, (all) => [...all, received]),
      { elements: [{ tag: "markdown", content: `voted ${JSON.stringify(received.action?.value)}` }] }
    )
  )

describe("encrypted legacy card actions", () => {
  it.effect("are decrypted and handled; the handler's card is the reply", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<LegacyCardAction>>([])
      const respond = handleCardAction(dispatcherSeeing(seen))
      const sealed = yield* seal({ version: "card", action }, { encryptKey: KEY, verificationToken: TOKEN })
      assert.hasAllKeys(JSON.parse(sealed.rawBody), ["encrypt"])

      const response = yield* respond({ method: "POST", headers: sealed.headers, rawBody: sealed.rawBody })
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(JSON.parse(response.body), { elements: [{ tag: "markdown", content: "voted {\"vote\":\"yes\"}" }] })
      assert.deepStrictEqual(yield* Ref.get(seen), [action])
    }))

  it.effect("are refused unless signed with the Encrypt Key: unsigned, wrong key, tampered body", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<LegacyCardAction>>([])
      const respond = handleCardAction(dispatcherSeeing(seen))
      const sealed = yield* seal({ version: "card", action }, { encryptKey: KEY })
      const unsigned: Request = { method: "POST", headers: {}, rawBody: sealed.rawBody }
      const otherKey = yield* seal({ version: "card", action }, { encryptKey: "another key" })
      const tampered: Request = { method: "POST", headers: sealed.headers, rawBody: sealed.rawBody.replace("\"}", "A\"}") }
      for (const request of [unsigned, { method: "POST", ...otherKey }, tampered]) {
        assert.strictEqual((yield* respond(request)).status, 401)
      }
      assert.deepStrictEqual(yield* Ref.get(seen), [])
    }).pipe(quiet))

  it.effect("node-sdk's CardActionHandler accepts the same sealed request and sees the same action", () =>
    Effect.gen(function*() {
      const sealed = yield* seal({ version: "card", action }, { encryptKey: KEY, verificationToken: TOKEN })
      const received: Array<unknown> = []
      const oracle = new CardActionHandler({ encryptKey: KEY, verificationToken: TOKEN, loggerLevel: 0 }, async (data: unknown) => {
        received.push(data)
        return { ok: true }
      })
      // node-sdk's adapters put the headers on the prototype, so that they are not part of the signed JSON
      const data = Object.assign(Object.create({ headers: sealed.headers }), JSON.parse(sealed.rawBody))
      const answer = yield* Effect.promise(() => oracle.invoke(data))
      assert.deepStrictEqual(answer, { ok: true })
      assert.strictEqual(received.length, 1)
      const { open_id, open_message_id, token, action: clicked } = received[0] as LegacyCardAction
      assert.deepStrictEqual({ open_id, open_message_id, token, action: clicked }, {
        open_id: action.open_id,
        open_message_id: action.open_message_id,
        token: action.token,
        action: action.action
      })
    }))

  it.live("the fake platform pushes one over HTTP to eventListener(handleCardAction)", () =>
    Effect.gen(function*() {
      const fake = yield* FakeOpenPlatform
      const seen = yield* Ref.make<Array<LegacyCardAction>>([])
      const server = createServer(nodeListener(handleCardAction(dispatcherSeeing(seen)), yield* appRuntime()))
      yield* Effect.acquireRelease(
        callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => callback<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lark/card`
      const [attempt] = yield* fake.pushEvent(url, { version: "card", action }, {
        encryptKey: KEY,
        verificationToken: TOKEN,
        redelivery: Schedule.recurs(0)
      })
      assert(attempt?._tag === "Answered")
      assert.strictEqual(attempt.status, 200)
      assert.include(attempt.body, "voted")
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }).pipe(Effect.provide(fakeOpenPlatform()), Effect.scoped))
})
