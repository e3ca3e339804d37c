/**
 * `handle(dispatcher)(request)`: the framework-neutral webhook entry point.
 *
 * Order of checks: POST only (405) and a body of at most `maxBodySize` bytes (413, default 1 MiB); then:
 * 1. With an Encrypt Key configured and signature headers present, `X-Lark-Signature` is verified over the
 *    RAW request bytes BEFORE anything is decrypted (missing header or mismatch: 401). A request without any
 *    signature header is accepted only if it decrypts to a `url_verification` (in plaintext only when a
 *    Verification Token is configured, which it must then carry); anything else is a 401 signature failure
 *    (so an unsigned request learns nothing about the ciphertext). With `maxClockSkew`
 *    configured, the verified `X-Lark-Request-Timestamp` must then lie within the window of the `Clock`
 *    (else 401, `EventTimestampError`): a replayed old delivery is refused.
 * 2. The body must be a JSON object in UTF-8 (else 400); `{"encrypt": ...}` is decrypted (no key configured, or
 *    bad ciphertext: 400) and must again be a JSON object. A body that is exactly `{"encrypt":"…"}` is read
 *    without a JSON parse (`exactEnvelope`).
 * 3. `url_verification`: with a Verification Token configured, the body must carry exactly that token
 *    (missing, empty, not a string or different: 401); the reply is `{"challenge": ...}`.
 * 4. v2 (`schema` present) or v1 (`uuid` present) classification (neither: 400), then the token check as
 *    in 3 (`header.token` / `token`; 401). This holds with an Encrypt Key too: the token is checked in the
 *    decrypted body, so a delivery is accepted only with both the key and the token.
 * 5. De-duplication by `header.event_id` / `uuid` through a claim (`Dedupe.ts`): an id handled before
 *    is acknowledged without running a handler; an id being handled right now by another delivery gets
 *    500 so that the platform asks again later. The `EventDedupe` service is used when present in the
 *    context; otherwise each `handle(...)` keeps its own in-memory store (8 h TTL).
 * 6. Dispatch (`dispatch.ts`): the registered handler, else the built-in v1 `app_ticket` handler when a
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
import {
  fail,
  flatMapOutcome,
  getFailure,
  getSuccess,
  isFailure,
  type Outcome as Checked,
  succeed
} from "../internal/dialect.js"
import { bodyLimit } from "./bodyLimit.js"
import * as Crypto from "./crypto.js"
import { type Service as DedupeService, unsafeMakeMemory } from "./Dedupe.js"
import { dedupeOfContext, type JsonObject, makeDispatch, type Outcome, parseObject, tokenCheck } from "./dispatch.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { EventDecodeError, EventDecryptError, EventSignatureError } from "./errors.js"
import {
  afterWindow,
  answerChallenge,
  bodyText,
  FAILED,
  jsonText,
  refuseEarly,
  reject,
  rejection,
  type Request,
  type Response,
  signatureHeaders,
  SUCCESS,
  timestampWindow
} from "./webhook.js"

export type { EventRequestError } from "./dispatch.js"
export type { HeadersInput, Request, Response, WebhookError } from "./webhook.js"

type Decrypt = (encrypted: string) => Checked<string, EventDecryptError>

const ENVELOPE_HEAD = `{"encrypt":"`
const ENVELOPE_TAIL = `"}`
const ENVELOPE_HEAD_BYTES = Buffer.from(ENVELOPE_HEAD)
const QUOTE = 0x22
const BACKSLASH = 0x5c
const CLOSING_BRACE = 0x7d

/**
 * The `encrypt` value of a body that is exactly `{"encrypt":"…"}` with no quote or escape inside, which is
 * what the platform sends, read without decoding and parsing the JSON; `undefined` for any other body,
 * which goes through `JSON.parse`.
 */
const exactEnvelope = (rawBody: Crypto.RawBody): string | undefined => {
  if (typeof rawBody === "string") {
    const end = rawBody.length - ENVELOPE_TAIL.length
    return rawBody.startsWith(ENVELOPE_HEAD) && rawBody.endsWith(ENVELOPE_TAIL) && rawBody.indexOf("\\") === -1 &&
        rawBody.indexOf(`"`, ENVELOPE_HEAD.length) === end
      ? rawBody.slice(ENVELOPE_HEAD.length, end)
      : undefined
  }
  const bytes = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  const end = bytes.length - ENVELOPE_TAIL.length
  return end > ENVELOPE_HEAD_BYTES.length && bytes[end] === QUOTE && bytes[end + 1] === CLOSING_BRACE &&
      ENVELOPE_HEAD_BYTES.equals(bytes.subarray(0, ENVELOPE_HEAD_BYTES.length)) &&
      bytes.indexOf(QUOTE, ENVELOPE_HEAD_BYTES.length) === end && bytes.indexOf(BACKSLASH) === -1
    ? bytes.toString("latin1", ENVELOPE_HEAD_BYTES.length, end)
    : undefined
}

const decrypted = (
  decrypt: Decrypt | undefined,
  encrypted: unknown
): Checked<JsonObject, EventDecodeError | EventDecryptError> => {
  if (decrypt === undefined) {
    return fail(new EventDecryptError({ detail: "body is encrypted but no Encrypt Key is configured" }))
  }
  if (typeof encrypted !== "string") return fail(new EventDecryptError({ detail: "encrypt is not a string" }))
  return flatMapOutcome(decrypt(encrypted), (plain) => parseObject(plain, "decrypted body"))
}

/**
 * Body → plaintext envelope (decrypting `encrypt` when present). A body that came in plaintext is refused as
 * unsigned when `plaintext` says so: nothing authenticates it then.
 */
const open = (
  decrypt: Decrypt | undefined,
  rawBody: Crypto.RawBody,
  plaintext: "accepted" | "refused" = "accepted"
): Checked<JsonObject, EventDecodeError | EventDecryptError | EventSignatureError> => {
  const encrypted = exactEnvelope(rawBody)
  if (encrypted !== undefined) return decrypted(decrypt, encrypted)
  return flatMapOutcome(flatMapOutcome(bodyText(rawBody), (text) => parseObject(text, "body")), (body): Checked<
    JsonObject,
    EventDecodeError | EventDecryptError | EventSignatureError
  > => {
    if ("encrypt" in body) return decrypted(decrypt, body.encrypt)
    return plaintext === "accepted" ? succeed(body) : fail(new EventSignatureError({ detail: "unsigned plaintext request" }))
  })
}

/** The HTTP reply to an outcome (rejections were logged by the dispatcher). */
const replyTo = (outcome: Outcome): Effect.Effect<Response> => {
  switch (outcome._tag) {
    case "Handled":
    case "Duplicate":
    case "Unhandled":
      return Effect.succeed(outcome.response === undefined ? SUCCESS : jsonText(200, outcome.response))
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
export const handle = <R>(dispatcher: EventDispatcher<R>): (request: Request) => Effect.Effect<Response, never, R> =>
  makeEntry(dispatcher, undefined)

/**
 * An authenticated, decrypted body that is neither an event (no `schema`, no `uuid`) nor a challenge: on the
 * card request URL, a legacy card action the platform encrypted.
 */
export type LegacyRoute<R> = (body: JsonObject) => Effect.Effect<Response, never, R>

const isEventEnvelope = (body: JsonObject): boolean => "schema" in body || "uuid" in body

/**
 * `handle` with a route for decrypted bodies that are no event (`legacy`; `undefined`: they are rejected as
 * undecodable events), and with `dedupe` as its store when given, whatever `EventDedupe` the context holds. The
 * card request URL's entry uses it for encrypted legacy card actions, a channel for its own store.
 *
 * @internal
 */
export const makeEntry = <R>(
  dispatcher: EventDispatcher<R>,
  legacy: LegacyRoute<R> | undefined,
  dedupe?: DedupeService
): (request: Request) => Effect.Effect<Response, never, R> => {
  const dispatch = makeDispatch(dispatcher, dedupe === undefined ? dedupeOfContext(unsafeMakeMemory()) : () => dedupe, "required")
  const { encryptKey, verificationToken } = dispatcher.options
  const inWindow = timestampWindow(dispatcher.options.maxClockSkew)
  const limit = bodyLimit(dispatcher.options.maxBodySize)
  const decrypt = encryptKey === undefined ? undefined : Crypto.decrypter(encryptKey)

  const checkToken = tokenCheck(verificationToken, "required")
  const challenge = (envelope: JsonObject): Effect.Effect<Response> => answerChallenge(checkToken, envelope)

  const event = (envelope: JsonObject): Effect.Effect<Response, never, R> =>
    Effect.flatMap(dispatch(envelope), replyTo)

  /** A body that passed the signature check (or needs none): open it, then answer the challenge or dispatch. */
  const route = (rawBody: Crypto.RawBody): Effect.Effect<Response, never, R> => {
    const opened = open(decrypt, rawBody)
    if (isFailure(opened)) return reject(getFailure(opened))
    const body = getSuccess(opened)
    if (body.type === "url_verification") return challenge(body)
    return legacy !== undefined && !isEventEnvelope(body) ? legacy(body) : event(body)
  }

  return (request) =>
    Effect.suspend(() => {
      const refused = refuseEarly(request, limit)
      if (refused !== undefined) return refused
      if (encryptKey === undefined) return route(request.rawBody)

      const headers = signatureHeaders(request.headers)
      const signed = Crypto.verifySignature(headers, encryptKey, request.rawBody)
      const unsigned = headers.timestamp === undefined && headers.nonce === undefined && headers.signature === undefined
      if (unsigned) {
        // Only a url_verification may come without a signature, and only encrypted unless the Verification
        // Token it must carry authenticates it. Whatever else goes wrong with an unsigned body is answered as a
        // signature failure, so that the reply says nothing about the ciphertext.
        const opened = open(decrypt, request.rawBody, verificationToken === undefined ? "refused" : "accepted")
        if (!isFailure(opened) && getSuccess(opened).type === "url_verification") return challenge(getSuccess(opened))
        return reject(isFailure(signed) ? getFailure(signed) : new EventSignatureError({ detail: "unsigned request" }))
      }
      // Signed: authenticate the raw bytes (and their age) before decrypting anything.
      if (isFailure(signed)) return reject(getFailure(signed))
      return afterWindow(inWindow, headers.timestamp, () => route(request.rawBody))
    })
}
