/**
 * `handle(dispatcher)(request)`: the framework-neutral webhook entry point.
 *
 * Order of checks for one POST:
 * 1. The raw body must be UTF-8 (else 400).
 * 2. With an Encrypt Key configured and signature headers present, `X-Lark-Signature` is verified over the
 *    RAW request bytes BEFORE anything is decrypted (missing header or mismatch: 401). A request without any
 *    signature header is accepted only if it decrypts to a `url_verification`; anything else is a 401
 *    signature failure (so an unsigned request learns nothing about the ciphertext). With `maxClockSkew`
 *    configured, the verified `X-Lark-Request-Timestamp` must then lie within the window of the `Clock`
 *    (else 401, `EventTimestampError`): a replayed old delivery is refused.
 * 3. The body must be a JSON object (else 400); `{"encrypt": ...}` is decrypted (no key configured, or bad
 *    ciphertext: 400) and must again be a JSON object.
 * 4. `url_verification`: the configured Verification Token is compared with the body's token when both
 *    exist (mismatch: 401); the reply is `{"challenge": ...}`.
 * 5. v2 (`schema` present) or v1 (`uuid` present) classification (neither: 400), then the token check as
 *    in 4 (mismatch: 401).
 * 6. De-duplication by `header.event_id` / `uuid` through a claim (`Dedupe.ts`): an id handled before
 *    is acknowledged without running a handler; an id being handled right now by another delivery gets
 *    500 so that the platform asks again later. The `EventDedupe` service is used when present in the
 *    context; otherwise each `handle(...)` keeps its own in-memory store (8 h TTL).
 * 7. Dispatch (`dispatch.ts`): the registered handler, else the built-in v1 `app_ticket` handler when a
 *    `LarkConfig` is in the context, else the fallback, else nothing. Unknown types get 200. A handler
 *    failure or defect, or a failing dedupe store, gets 500 and the claim is released, so a redelivery
 *    runs again. A callback's handler result is the response body (`{}` when it returned nothing).
 *
 * Rejections are logged with `Effect.logWarning` (error tag and message only: never the body, the
 * plaintext, a token or a key) and never run a handler.
 *
 * Adapters: `nodeListener.ts` (node:http, Express, Koa) and `httpApp.ts` (`@effect/platform`). The legacy
 * card request URL has its own entry, `handleCardAction` (`cardAction.ts`).
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Crypto from "./crypto.js"
import { unsafeMakeMemory } from "./Dedupe.js"
import { type JsonObject, makeDispatch, type Outcome, parseObject } from "./dispatch.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { EventDecodeError, EventDecryptError, EventMethodError, EventSignatureError } from "./errors.js"
import {
  afterWindow,
  answerChallenge,
  bodyText,
  FAILED,
  reject,
  rejection,
  type Request,
  type Response,
  respondWith,
  signatureHeaders,
  SUCCESS,
  timestampWindow
} from "./webhook.js"

export type { EventRequestError } from "./dispatch.js"
export type { HeadersInput, Request, Response, WebhookError } from "./webhook.js"

/** Body → plaintext envelope (decrypting `encrypt` when present). */
const open = (
  decrypt: ((encrypted: string) => Either.Either<string, EventDecryptError>) | undefined,
  text: string
): Either.Either<JsonObject, EventDecodeError | EventDecryptError> =>
  Either.flatMap(parseObject(text, "body"), (body) => {
    if (!("encrypt" in body)) return Either.right(body)
    if (decrypt === undefined) {
      return Either.left(new EventDecryptError({ detail: "body is encrypted but no Encrypt Key is configured" }))
    }
    if (typeof body.encrypt !== "string") {
      return Either.left(new EventDecryptError({ detail: "encrypt is not a string" }))
    }
    return Either.flatMap(decrypt(body.encrypt), (plain) => parseObject(plain, "decrypted body"))
  })

/** The HTTP reply to an outcome (rejections were logged by the dispatcher). */
const replyTo = (outcome: Outcome): Effect.Effect<Response> => {
  switch (outcome._tag) {
    case "Handled":
      return outcome.response === undefined ? Effect.succeed(SUCCESS) : respondWith(outcome.response)
    case "Duplicate":
    case "Unhandled":
      return Effect.succeed(SUCCESS)
    case "Retry":
      return Effect.succeed(FAILED)
    case "Rejected":
      return Effect.succeed(rejection(outcome.error))
  }
}

/**
 * The webhook entry point of `dispatcher`. The returned function never fails: every outcome is a
 * `Response`. Each call of `handle(dispatcher)` owns the default in-memory dedupe store, so create it once.
 */
export const handle = <R>(dispatcher: EventDispatcher<R>): (request: Request) => Effect.Effect<Response, never, R> => {
  const dispatch = makeDispatch(dispatcher, unsafeMakeMemory())
  const { encryptKey, verificationToken } = dispatcher.options
  const inWindow = timestampWindow(dispatcher.options.maxClockSkew)
  const decrypt = encryptKey === undefined ? undefined : Crypto.decrypter(encryptKey)

  const challenge = (envelope: JsonObject): Effect.Effect<Response> => answerChallenge(verificationToken, envelope)

  const event = (envelope: JsonObject): Effect.Effect<Response, never, R> =>
    Effect.flatMap(dispatch(envelope), replyTo)

  /** A body that passed the signature check (or needs none): open it, then answer the challenge or dispatch. */
  const route = (text: string): Effect.Effect<Response, never, R> => {
    const opened = open(decrypt, text)
    if (Either.isLeft(opened)) return reject(opened.left)
    return opened.right.type === "url_verification" ? challenge(opened.right) : event(opened.right)
  }

  return (request) =>
    Effect.suspend(() => {
      if (request.method.toUpperCase() !== "POST") {
        return reject(new EventMethodError({ detail: `method ${request.method} is not POST` }))
      }
      const text = bodyText(request.rawBody)
      if (Either.isLeft(text)) return reject(text.left)

      if (encryptKey === undefined) return route(text.right)

      const headers = signatureHeaders(request.headers)
      const signed = Crypto.verifySignature(headers, encryptKey, request.rawBody)
      const unsigned = headers.timestamp === undefined && headers.nonce === undefined && headers.signature === undefined
      if (unsigned) {
        // Only a url_verification may come without a signature. Whatever else goes wrong with an unsigned
        // body is answered as a signature failure, so that the reply says nothing about the ciphertext.
        const opened = open(decrypt, text.right)
        if (Either.isRight(opened) && opened.right.type === "url_verification") return challenge(opened.right)
        return reject(Either.isLeft(signed) ? signed.left : new EventSignatureError({ detail: "unsigned request" }))
      }
      // Signed: authenticate the raw bytes (and their age) before decrypting anything.
      if (Either.isLeft(signed)) return reject(signed.left)
      return afterWindow(inWindow, headers.timestamp, () => route(text.right))
    })
}
