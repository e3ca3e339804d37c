/**
 * Webhook events on Effect 4: deliveries sealed by the test kit's `seal` / `pushEvent` the way the platform does
 * (encrypted, signed), through `handle(dispatcher)`: verified, decrypted, decoded by a payload schema and
 * dispatched to the typed handler, redelivered after a failure and then de-duplicated; a forged signature refused
 * with the typed error; the URL challenge answered; the `node:http` core (`makeAnswer`, on a `Context`) and
 * `EventHttp.app`; and a card the platform would refuse. Prints one JSON line for tests/effect4/edition.test.ts.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Logger from "effect/Logger"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { IncomingMessage } from "node:http"
import * as Cards from "../src/cards/Cards.js"
import type { Card } from "../src/cards/model.js"
import { validate } from "../src/cards/validate.js"
import * as Crypto from "../src/events/crypto.js"
import * as EventDispatcher from "../src/events/EventDispatcher.js"
import { handle, type Request, type Response } from "../src/events/handle.js"
import * as EventHttp from "../src/events/httpApp.js"
import { makeAnswer } from "../src/events/nodeListener.js"
import { platformRedelivery, pushEvent, type Sealed, seal } from "../src/testing/pushEvent.js"

const KEY = "check encrypt key"
const TOKEN = "check verification token"
const secrets = { encryptKey: KEY, verificationToken: TOKEN }

/** The payload schema the handler's events are decoded with. */
const MessageReceived = Schema.Struct({
  message: Schema.Struct({ message_id: Schema.String, chat_id: Schema.String })
})

const event = (eventId: string, message: unknown) =>
  ({ version: "v2", type: "im.message.receive_v1", eventId, event: { message } }) as const

const asRequest = (sealed: Sealed): Request => ({ method: "POST", headers: sealed.headers, rawBody: sealed.rawBody })

const reply = (response: Response) => ({ status: response.status, body: JSON.parse(response.body) as unknown })

/** The log lines written (message and level), instead of the console. */
const logs: Array<string> = []
const recorder = Logger.make(({ logLevel, message }) => {
  const first = Array.isArray(message) ? message[0] : message
  logs.push(`${logLevel}: ${String(first)}`)
})

const program = Effect.gen(function*() {
  // a handler that fails its first call: the platform's redelivery then runs it again
  const calls: Array<{ readonly version: string; readonly eventId: string; readonly messageId: string }> = []
  let failures = 1
  const dispatcher = EventDispatcher.make(secrets).on(
    "im.message.receive_v1",
    (received) =>
      Effect.suspend(() => {
        calls.push({ version: received.version, eventId: received.header.event_id, messageId: received.event.message?.message_id ?? "" })
        return failures-- > 0 ? Effect.fail("not yet") : Effect.void
      }),
    { schema: MessageReceived }
  )
  const respond = handle(dispatcher)
  const deliver = (pushed: Parameters<typeof seal>[0]) => Effect.flatMap(seal(pushed, secrets), (sealed) => respond(asRequest(sealed)))

  const good = event("evt_1", { message_id: "om_1", chat_id: "oc_1" })
  const deliveries = [
    reply(yield* deliver(good)), // the handler fails: 500, asking for a redelivery
    reply(yield* deliver(good)), // redelivered: handled
    reply(yield* deliver(good)) // once more: a duplicate, acknowledged without running the handler
  ]
  const callsAfterDeliveries = calls.length

  // a payload the schema rejects: 400, the handler does not run
  const undecodable = reply(yield* deliver(event("evt_2", { message_id: 7 })))

  // a forged signature: refused before decryption, and the typed error says why
  const sealed = yield* seal(event("evt_3", { message_id: "om_3", chat_id: "oc_3" }), secrets)
  const forgedHeaders: Record<string, string> = { ...sealed.headers, "x-lark-signature": "0".repeat(64) }
  const forged = reply(yield* respond({ method: "POST", headers: forgedHeaders, rawBody: sealed.rawBody }))
  const checked = Crypto.verifySignature(
    { timestamp: forgedHeaders["x-lark-request-timestamp"], nonce: forgedHeaders["x-lark-request-nonce"], signature: "0".repeat(64) },
    KEY,
    sealed.rawBody
  )
  const signatureError = Result.isFailure(checked) ? { tag: checked.failure._tag, message: checked.failure.message } : "verified"
  const genuine = Crypto.verifySignature(
    { timestamp: sealed.headers["x-lark-request-timestamp"], nonce: sealed.headers["x-lark-request-nonce"], signature: sealed.headers["x-lark-signature"] },
    KEY,
    sealed.rawBody
  )

  // the URL challenge, encrypted and unsigned as the platform sends it; with a wrong token it is refused
  const challengeOf = (token: string) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    rawBody: JSON.stringify({ encrypt: Crypto.encrypt(KEY, JSON.stringify({ type: "url_verification", challenge: "ch_1", token })) })
  })
  const challenge = reply(yield* respond(challengeOf(TOKEN)))
  const wrongToken = reply(yield* respond(challengeOf("not the token")))

  // pushEvent through an HttpClient whose transport is the webhook itself: redelivered until 200
  let pushFailures = 1
  const pushed: Array<string> = []
  const pushRespond = handle(
    EventDispatcher.make(secrets).on("im.message.receive_v1", (received) =>
      Effect.suspend(() => {
        pushed.push(received.header.event_id)
        return pushFailures-- > 0 ? Effect.fail("not yet") : Effect.void
      }))
  )
  const transport = HttpClient.make((request) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const answer = yield* pushRespond({ method: request.method, headers: request.headers, rawBody: body })
      return HttpClientResponse.fromWeb(request, new globalThis.Response(answer.body, { status: answer.status, headers: answer.headers }))
    })
  )
  const attempts = yield* pushEvent("https://bot.example/webhook", event("evt_push", { message_id: "om_p", chat_id: "oc_p" }), {
    ...secrets,
    redelivery: platformRedelivery(0.0001)
  }).pipe(Effect.provideService(HttpClient.HttpClient, transport))

  // the node:http core, run on a Context (Effect 4's stand-in for a Runtime), the body read by a middleware
  const context = yield* Effect.context<never>()
  const answer = makeAnswer(respond, context)
  const listenerSealed = yield* seal(event("evt_4", { message_id: "om_4", chat_id: "oc_4" }), secrets)
  const viaListener = reply(
    yield* Effect.promise(() =>
      answer({ method: "POST", headers: listenerSealed.headers, readableDidRead: false } as unknown as IncomingMessage, listenerSealed.rawBody)
    )
  )

  // EventHttp.app: the body read from an HttpServerRequest's stream
  const appSealed = yield* seal(event("evt_5", { message_id: "om_5", chat_id: "oc_5" }), secrets)
  const served = yield* EventHttp.app(dispatcher).pipe(
    Effect.provideService(
      HttpServerRequest.HttpServerRequest,
      HttpServerRequest.fromWeb(
        new globalThis.Request("https://bot.example/lark/events", { method: "POST", headers: appSealed.headers, body: appSealed.rawBody })
      )
    )
  )
  const viaApp = { status: served.status, body: JSON.parse(yield* Effect.promise(() => HttpServerResponse.toWeb(served).text())) as unknown }

  // a card the platform would refuse
  const badCard = { schema: "2.0", body: { elements: [{ tag: "action" }] } }
  const validated = validate(badCard)
  const cardError = Result.isFailure(validated)
    ? { tag: validated.failure._tag, reason: validated.failure.reason, path: validated.failure.path }
    : "valid"
  const contentError = yield* Cards.content(badCard as unknown as Card).pipe(
    Effect.flip,
    Effect.map((error) => ({ tag: error._tag, reason: error.reason, message: error.message }))
  )
  const goodCard = validate({ schema: "2.0", body: { elements: [{ tag: "markdown", content: "hi", element_id: "md_1" }] } })

  return {
    deliveries,
    calls: calls.slice(0, callsAfterDeliveries),
    undecodable,
    forged,
    signatureError,
    genuineVerified: Result.isSuccess(genuine),
    challenge,
    wrongToken,
    push: { statuses: attempts.map((attempt) => attempt._tag === "Answered" ? attempt.status : attempt.reason), handled: pushed },
    viaListener,
    viaApp,
    handledAfterAll: calls.map((call) => call.eventId),
    card: { error: cardError, content: contentError, goodIsValid: Result.isSuccess(goodCard) },
    logs
  }
})

Effect.runPromise(program.pipe(Effect.provide(Logger.layer([recorder])))).then((result) => console.log(JSON.stringify(result)))
