/**
 * What every framework adapter must do on a real server, through whatever body parser it is mounted behind:
 * an encrypted, signed event reaches its handler (200); a forged signature gets 401 and reaches nothing; the
 * encrypted URL challenge is answered; a body over the adapter's `maxBodySize` gets 413 and reaches nothing.
 */
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Crypto from "../../src/events/crypto.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { seal } from "../../src/testing/pushEvent.js"

export const KEY = "adapter encrypt key"
export const TOKEN = "adapter verification token"

/** The adapters' `maxBodySize` in these tests: above a small event, below the padded one. */
export const LIMIT = 2048

export interface Reply {
  readonly status: number
  readonly body: string
}

export const post = (url: string, headers: Readonly<Record<string, string>>, body: string): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", headers, body })
    return { status: response.status, body: await response.text() }
  })

/** `handle` on a dispatcher whose message handler records the ids it saw. */
export const recordingEntry = () => {
  const seen: Array<string | undefined> = []
  const respond = handle(
    EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).on("im.message.receive_v1", ({ event }) =>
      Effect.sync(() => void seen.push(event.message?.message_id)))
  )
  return { respond, seen }
}

const message = (id: string, padding = "") =>
  seal(
    { version: "v2", type: "im.message.receive_v1", eventId: `evt_${id}`, event: { message: { message_id: id, content: padding } } },
    { encryptKey: KEY, verificationToken: TOKEN }
  )

/** Runs the four cases against the adapter at `url`, mounted on `recordingEntry()` with `maxBodySize: LIMIT`. */
export const webhookCases = (url: string, seen: ReadonlyArray<string | undefined>) =>
  Effect.gen(function*() {
    const genuine = yield* message("om_genuine")
    assert.deepStrictEqual(yield* post(url, genuine.headers, genuine.rawBody), { status: 200, body: `{"msg":"success"}` })
    assert.deepStrictEqual(seen, ["om_genuine"])

    const forged = yield* message("om_forged")
    const forgedReply = yield* post(url, { ...forged.headers, "x-lark-signature": "0".repeat(64) }, forged.rawBody)
    assert.strictEqual(forgedReply.status, 401)

    const challenge = Crypto.encrypt(KEY, JSON.stringify({ type: "url_verification", challenge: "c-42", token: TOKEN }))
    assert.deepStrictEqual(
      yield* post(url, { "content-type": "application/json" }, JSON.stringify({ encrypt: challenge })),
      { status: 200, body: `{"challenge":"c-42"}` }
    )

    // genuine and signed: only its size is wrong
    const padded = yield* message("om_padded", "x".repeat(LIMIT))
    assert.isAbove(padded.rawBody.length, LIMIT)
    assert.strictEqual((yield* post(url, padded.headers, padded.rawBody)).status, 413)
    assert.deepStrictEqual(seen, ["om_genuine"], "only the genuine event reached its handler")
  })
