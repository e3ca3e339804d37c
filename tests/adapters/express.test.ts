/**
 * The Express adapter on a real Express app over loopback, bare and behind each body parser: the signature
 * is checked over the raw bytes in every mount (kept by `rawBodySaver` behind `express.json()`, read by
 * `express.raw()`, or read from the stream), and a parser that kept no raw bytes is refused rather than
 * guessed around.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import express from "express"
import { expressHandler, rawBodySaver } from "../../src/adapters/express.js"
import type { LegacyCardAction } from "../../src/events/callbacks.js"
import { handleCardAction } from "../../src/events/cardAction.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { seal } from "../../src/testing/pushEvent.js"
import { loopback, urlOf } from "../fixtures/loopback.js"
import { appRuntime, withLogsTo } from "../dialect.js"
import { KEY, LIMIT, post, recordingEntry, TOKEN, webhookCases } from "./webhookCases.js"

const quiet = withLogsTo(() => {})

type Mount = (app: express.Express, handler: express.RequestHandler) => void

const mounts: ReadonlyArray<readonly [string, Mount]> = [
  ["bare", (app, handler) => app.post("/lark", handler)],
  ["behind express.json() with rawBodySaver", (app, handler) => app.post("/lark", express.json({ verify: rawBodySaver }), handler)],
  ["behind express.raw() for JSON", (app, handler) => app.post("/lark", express.raw({ type: "application/json" }), handler)],
  ["behind express.raw() as configured by default", (app, handler) => app.post("/lark", express.raw(), handler)],
  ["behind express.text() for JSON", (app, handler) => app.post("/lark", express.text({ type: "application/json" }), handler)]
]

describe("Express adapter", () => {
  for (const [name, mount] of mounts) {
    it.live(name, () =>
      Effect.gen(function*() {
        const { respond, seen } = recordingEntry()
        const app = express()
        mount(app, expressHandler(respond, yield* appRuntime(), { maxBodySize: LIMIT }))
        yield* webhookCases(`${urlOf(yield* loopback(app))}/lark`, seen)
      }).pipe(Effect.scoped, quiet))
  }

  it.live("behind express.json() without rawBodySaver: 500, and no handler runs on a guess", () =>
    Effect.gen(function*() {
      const { respond, seen } = recordingEntry()
      const app = express()
      app.post("/lark", express.json(), expressHandler(respond, yield* appRuntime()))
      const sealed = yield* seal(
        { version: "v2", type: "im.message.receive_v1", eventId: "evt_parsed", event: { message: { message_id: "om_parsed" } } },
        { encryptKey: KEY, verificationToken: TOKEN }
      )
      const reply = yield* post(`${urlOf(yield* loopback(app))}/lark`, sealed.headers, sealed.rawBody)
      assert.strictEqual(reply.status, 500)
      assert.match(reply.body, /body parser/)
      assert.deepStrictEqual(seen, [])
    }).pipe(Effect.scoped, quiet))

  it.live("a legacy card action, encrypted, behind express.json(): the handler's card is the reply", () =>
    Effect.gen(function*() {
      const action: LegacyCardAction = { open_id: "ou_clicker", token: "c-update", action: { tag: "button", value: { vote: "yes" } } }
      const seen: Array<LegacyCardAction> = []
      const dispatcher = EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).onCardAction((received) =>
        Effect.sync(() => {
          seen.push(received)
          return { elements: [{ tag: "markdown", content: "thanks" }] }
        })
      )
      const app = express()
      app.use(express.json({ verify: rawBodySaver }))
      app.post("/card", expressHandler(handleCardAction(dispatcher), yield* appRuntime()))
      const url = `${urlOf(yield* loopback(app))}/card`

      const sealed = yield* seal({ version: "card", action }, { encryptKey: KEY, verificationToken: TOKEN })
      const reply = yield* post(url, sealed.headers, sealed.rawBody)
      assert.deepStrictEqual(reply, { status: 200, body: JSON.stringify({ elements: [{ tag: "markdown", content: "thanks" }] }) })
      assert.deepStrictEqual(seen, [action])

      const tampered = yield* post(url, sealed.headers, sealed.rawBody.replace(`"}`, `A"}`))
      assert.strictEqual(tampered.status, 401)
      assert.deepStrictEqual(seen, [action])
    }).pipe(Effect.scoped, quiet))
})
