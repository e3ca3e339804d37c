/**
 * `handleCardAction(dispatcher)(request)`: the entry point of the legacy card request URL, where the
 * platform posts card actions as a flat body (`open_id`, `open_message_id`, `token`, `action`, ...) signed
 * with SHA-1 over `timestamp + nonce + VerificationToken + rawBody`.
 *
 * 1. POST only (405), at most `maxBodySize` bytes (413); UTF-8 JSON object (400).
 * 2. A body with `encrypt` or `schema` goes through the events entry (`handle`), with its SHA-256 signature
 *    (Encrypt Key) and decryption: a v2 callback there (the platform switched the URL to the v2 protocol) is
 *    dispatched as an event; a decrypted flat body (a legacy card action of an app with an Encrypt Key, as
 *    the official SDKs accept it) runs the `onCardAction` handler as in 5. The signature with the Encrypt Key
 *    authenticates it: its `token` is the card-update token, not the Verification Token.
 * 3. `url_verification` is answered with its challenge once the tokens agree (mismatch: 401; in plaintext
 *    with an Encrypt Key but no token: 401, as in 4).
 * 4. With a Verification Token configured, `X-Lark-Signature` must be the SHA-1 signature of the raw bytes
 *    (missing or wrong: 401), and the timestamp must be inside `maxClockSkew` when one is set. Without a
 *    token, a plaintext body cannot be authenticated: with an Encrypt Key configured it is refused (401; the
 *    platform encrypts the card actions of such an app, so a plaintext one is forged), without one it is
 *    accepted as the other SDKs do.
 * 5. The `onCardAction` handler runs: a card JSON it returns is the reply (it replaces the card); nothing is
 *    answered `{"msg":"success"}`; a failure or defect is a 500. Without a handler: `{"msg":"success"}`.
 *
 * Legacy card actions carry no delivery id, so there is no de-duplication here.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { flatMapOutcome, getFailure, getSuccess, isFailure, isInterruptedExit } from "../internal/dialect.js"
import type { LegacyCardAction } from "./callbacks.js"
import { bodyLimit } from "./bodyLimit.js"
import * as Crypto from "./crypto.js"
import { type JsonObject, parseObject, tokenCheck } from "./dispatch.js"
import type { EventDispatcher } from "./EventDispatcher.js"
import { EventSignatureError } from "./errors.js"
import { makeEntry } from "./handle.js"
import {
  afterWindow,
  answerChallenge,
  bodyText,
  FAILED,
  refuseEarly,
  reject,
  type Request,
  type Response,
  respondWith,
  signatureHeaders,
  SUCCESS,
  timestampWindow
} from "./webhook.js"

const forgedPlaintext = new EventSignatureError({
  detail: "plaintext card request, but only the Encrypt Key can authenticate one here (no Verification Token)"
})

/**
 * The legacy card-action entry point of `dispatcher` (see the module comment). The returned function never
 * fails. Like `handle`, create it once: it holds the dedupe store of the new-style callbacks it forwards.
 */
export const handleCardAction = <R>(
  dispatcher: EventDispatcher<R>
): (request: Request) => Effect.Effect<Response, never, R> => {
  const { encryptKey, verificationToken } = dispatcher.options
  const inWindow = timestampWindow(dispatcher.options.maxClockSkew)
  const limit = bodyLimit(dispatcher.options.maxBodySize)
  const checkToken = tokenCheck(verificationToken, "required")

  /** Runs the card action handler on an authenticated flat body. */
  const run = (body: JsonObject): Effect.Effect<Response, never, R> => {
    const handler = dispatcher.cardActionHandler
    if (handler === undefined) {
      return Effect.as(Effect.logDebug("lark card action has no handler; acknowledged"), SUCCESS)
    }
    return Effect.flatMap(Effect.exit(Effect.suspend(() => handler(body as LegacyCardAction))), (exit) => {
      if (Exit.isSuccess(exit)) return exit.value === undefined ? Effect.succeed(SUCCESS) : respondWith(exit.value)
      if (isInterruptedExit(exit)) return Effect.interrupt
      return Effect.as(Effect.logError("lark card action handler failed", exit.cause), FAILED)
    })
  }

  const sealed = makeEntry(dispatcher, run)

  return (request) =>
    Effect.suspend(() => {
      const refused = refuseEarly(request, limit)
      if (refused !== undefined) return refused
      const parsed = flatMapOutcome(bodyText(request.rawBody), (text) => parseObject(text, "body"))
      if (isFailure(parsed)) return reject(getFailure(parsed))
      const body = getSuccess(parsed)
      if ("encrypt" in body || "schema" in body) return sealed(request)
      if (verificationToken === undefined && encryptKey !== undefined) return reject(forgedPlaintext)
      if (body.type === "url_verification") return answerChallenge(checkToken, body)
      if (verificationToken === undefined) return run(body)

      const headers = signatureHeaders(request.headers)
      const signed = Crypto.verifyCardSignature(headers, verificationToken, request.rawBody)
      if (isFailure(signed)) return reject(getFailure(signed))
      return afterWindow(inWindow, headers.timestamp, () => run(body))
    })
}
