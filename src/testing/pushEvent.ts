/**
 * The platform's side of a webhook, for tests: builds an event (v2 or v1 envelope) or a legacy card
 * action, encrypts and signs it the way the Open Platform does, POSTs it to a URL, and redelivers it on
 * any answer other than 200 (or no answer) by a schedule, like the platform's retries.
 *
 * - v2 / v1 events: with an Encrypt Key the body is `{"encrypt": base64(IV ‖ AES-256-CBC(json))}` and the
 *   `X-Lark-Signature` is SHA-256 of `timestamp + nonce + key + rawBody`; without one the JSON goes as is,
 *   unsigned. The Verification Token, when given, is the envelope's token.
 * - Legacy card actions: the flat body as is, signed with SHA-1 of `timestamp + nonce + token + rawBody`
 *   when a Verification Token is given.
 * - Each delivery is sealed anew (fresh timestamp from the `Clock`, nonce and IV) with the same event id,
 *   so a receiver's de-duplication sees a redelivery.
 */
import { randomBytes, randomUUID } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type { LegacyCardAction } from "../events/callbacks.js"
import * as Crypto from "../events/crypto.js"
import { scheduleOfDelays } from "../internal/dialect.js"
import { defaultApp } from "./fakeApps.js"

/** A v2 ("2.0") event or callback. */
export interface PushV2 {
  readonly version: "v2"
  /** `header.event_type`, e.g. `im.message.receive_v1` or `card.action.trigger`. */
  readonly type: string
  readonly event: unknown
  /** Default: a random id, the same for every redelivery. */
  readonly eventId?: string | undefined
  readonly appId?: string | undefined
  readonly tenantKey?: string | undefined
}

/** A legacy v1 event, routed by `event.type`. */
export interface PushV1 {
  readonly version: "v1"
  readonly type: string
  /** The fields of `event` besides `type`. */
  readonly event: Readonly<Record<string, unknown>>
  readonly uuid?: string | undefined
}

/** A legacy card action (the flat body of the old card request URL). */
export interface PushCardAction {
  readonly version: "card"
  readonly action: LegacyCardAction
}

export type PushedEvent = PushV2 | PushV1 | PushCardAction

export interface PushOptions {
  /** Encrypts and signs events and legacy card actions (like an app with an Encrypt Key configured). */
  readonly encryptKey?: Crypto.Secret | undefined
  /** The token in event envelopes; signs plain legacy card actions. */
  readonly verificationToken?: Crypto.Secret | undefined
  /** When to redeliver after a failed delivery. Default {@link platformRedelivery}(1): 15 s, 5 min, 1 h, 6 h. */
  readonly redelivery?: Schedule.Schedule<unknown, PushAttempt> | undefined
}

/** What one delivery got back. */
export type PushAttempt =
  | { readonly _tag: "Answered"; readonly status: number; readonly body: string }
  | { readonly _tag: "Unreachable"; readonly reason: string }

/** One sealed delivery: what goes on the wire. */
export interface Sealed {
  readonly headers: Readonly<Record<string, string>>
  readonly rawBody: string
}

const PLATFORM_DELAYS_MS = [15_000, 300_000, 3_600_000, 21_600_000] as const

/** The platform's redelivery delays (15 s, 5 min, 1 h, 6 h), multiplied by `scale` (e.g. 0.001 in tests). */
export const platformRedelivery = (scale = 1): Schedule.Schedule<Duration.Duration> => {
  const [first, ...rest] = PLATFORM_DELAYS_MS.map((ms) => ms * scale)
  return scheduleOfDelays(first!, ...rest)
}

/** Fills in the ids a pushed event leaves out, once, so that every redelivery carries the same ones. */
const withIds = (pushed: PushedEvent): PushedEvent => {
  switch (pushed.version) {
    case "v2":
      return { ...pushed, eventId: pushed.eventId ?? randomUUID().replaceAll("-", "") }
    case "v1":
      return { ...pushed, uuid: pushed.uuid ?? randomUUID() }
    case "card":
      return pushed
  }
}

const envelope = (pushed: PushV2 | PushV1, token: string | undefined, nowMillis: number) =>
  pushed.version === "v2"
    ? {
      schema: "2.0",
      header: {
        event_id: pushed.eventId,
        event_type: pushed.type,
        create_time: String(nowMillis),
        token,
        app_id: pushed.appId ?? defaultApp.appId,
        tenant_key: pushed.tenantKey ?? "fake_tenant"
      },
      event: pushed.event
    }
    : {
      ts: (nowMillis / 1000).toFixed(3),
      uuid: pushed.uuid,
      token,
      type: "event_callback",
      event: { ...pushed.event, type: pushed.type }
    }

/** Seals one delivery of `pushed` at the `Clock`'s time: body, encryption and signature headers. */
export const seal = (pushed: PushedEvent, options: PushOptions = {}): Effect.Effect<Sealed> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const timestamp = String(Math.floor(now / 1000))
    const nonce = randomBytes(8).toString("hex")
    const signed = (rawBody: string, signature: string | undefined): Sealed => ({
      rawBody,
      headers: {
        "content-type": "application/json; charset=utf-8",
        ...(signature === undefined ? {} : {
          "x-lark-request-timestamp": timestamp,
          "x-lark-request-nonce": nonce,
          "x-lark-signature": signature
        })
      }
    })
    const { encryptKey, verificationToken } = options
    const plain = pushed.version === "card"
      ? JSON.stringify(pushed.action)
      : JSON.stringify(envelope(pushed, verificationToken === undefined ? undefined : Crypto.reveal(verificationToken), now))
    if (encryptKey !== undefined) {
      // events and legacy card actions alike: encrypted, and signed with the Encrypt Key (SHA-256)
      const rawBody = JSON.stringify({ encrypt: Crypto.encrypt(encryptKey, plain) })
      return signed(rawBody, Crypto.signature(timestamp, nonce, encryptKey, rawBody))
    }
    // a plain legacy card action is signed with the Verification Token (SHA-1); a plain event is not signed
    const cardSignature = pushed.version === "card" && verificationToken !== undefined
      ? Crypto.cardSignature(timestamp, nonce, verificationToken, plain)
      : undefined
    return signed(plain, cardSignature)
  })

const deliverOnce = (client: HttpClient.HttpClient, url: string, sealed: Sealed): Effect.Effect<PushAttempt> =>
  client.execute(
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders(sealed.headers),
      HttpClientRequest.bodyText(sealed.rawBody, "application/json; charset=utf-8")
    )
  ).pipe(
    Effect.flatMap((response) =>
      Effect.map(response.text, (body): PushAttempt => ({ _tag: "Answered", status: response.status, body }))
    ),
    Effect.matchEffect({
      onFailure: (error) => Effect.succeed<PushAttempt>({ _tag: "Unreachable", reason: error.message }),
      onSuccess: Effect.succeed
    })
  )

const delivered = (attempt: PushAttempt): boolean => attempt._tag === "Answered" && attempt.status === 200

/**
 * Pushes `event` to `url` like the platform: sealed, POSTed, and redelivered by `options.redelivery` until
 * a delivery gets 200. Answers every delivery's result, in order (the last one is the 200, unless the
 * schedule ran out).
 */
export const pushEvent = (
  url: string,
  event: PushedEvent,
  options: PushOptions = {}
): Effect.Effect<ReadonlyArray<PushAttempt>, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const pushed = withIds(event)
    const attempts: Array<PushAttempt> = []
    const once = seal(pushed, options).pipe(
      Effect.flatMap((sealed) => deliverOnce(client, url, sealed)),
      Effect.tap((attempt) => Effect.sync(() => void attempts.push(attempt)))
    )
    yield* Effect.repeat(once, {
      schedule: options.redelivery ?? platformRedelivery(),
      until: delivered
    })
    return attempts
  })
