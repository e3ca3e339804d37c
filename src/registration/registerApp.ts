/**
 * `registerApp`: one-click app creation through the OAuth device flow, as a `Stream`.
 *
 * init -> begin (QR code) -> poll until the user confirms, refuses, or the code expires. All waiting goes
 * through `Effect.sleep` / `Clock`, so the flow runs under `TestClock`; interrupting the stream's fiber
 * stops it between or during requests, and nothing is sent afterwards.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { fail, fromOutcome, type Outcome, paginate, succeed } from "../internal/dialect.js"
import type { LarkDecodeError, LarkHttpError } from "../LarkError.js"
import { RegistrationDenied, RegistrationError, RegistrationExpired, type RegistrationFailure } from "./errors.js"
import { RegistrationEvent } from "./events.js"
import { type RegisterAppOptions, type Settings, validate } from "./options.js"
import * as Protocol from "./protocol.js"
import { buildQrUrl } from "./qrUrl.js"

/** The `slow_down` answer adds this many seconds to the interval (RFC 8628 §3.5). */
export const SLOW_DOWN_STEP_SECONDS = 5

/** Where the next poll goes and when. */
export interface Poller {
  /** The accounts base polled. */
  readonly base: string
  /** Whether the one-time switch to the Lark host has happened (or polling began there). */
  readonly switched: boolean
  /** Seconds between polls. */
  readonly interval: number
  /** Seconds to wait before the next poll. */
  readonly wait: number
}

type Step = readonly [RegistrationEvent, Option.Option<Poller>]

const continueWith = (event: RegistrationEvent, next: Poller): Step => [event, Option.some(next)]

/**
 * What one poll answer means. Credentials win over everything (the answer is final); a first answer naming
 * a Lark tenant moves polling to the Lark host at once; an answer with neither credentials nor an error is
 * read as "still pending", as the Node and Go SDKs do.
 */
export const interpret = (
  answer: Protocol.PollAnswer,
  poller: Poller,
  larkDomain: string
): Outcome<Step, RegistrationFailure> => {
  if (answer.clientId !== undefined && answer.clientSecret !== undefined) {
    const done = RegistrationEvent.Done({ clientId: answer.clientId, clientSecret: answer.clientSecret, userInfo: answer.userInfo })
    return succeed([done, Option.none()])
  }
  if (!poller.switched && answer.userInfo?.tenant_brand === "lark") {
    const onLark = { ...poller, base: larkDomain, switched: true, wait: 0 }
    return succeed(continueWith(RegistrationEvent.Status({ status: "domain_switched" }), onLark))
  }
  const description = answer.errorDescription
  switch (answer.error) {
    case undefined:
    case "authorization_pending":
      return succeed(continueWith(RegistrationEvent.Status({ status: "polling" }), { ...poller, wait: poller.interval }))
    case "slow_down": {
      const interval = poller.interval + SLOW_DOWN_STEP_SECONDS
      const slower = { ...poller, interval, wait: interval }
      return succeed(continueWith(RegistrationEvent.Status({ status: "slow_down", interval }), slower))
    }
    case "access_denied":
      return fail(new RegistrationDenied({ description }))
    case "expired_token":
      return fail(new RegistrationExpired({ description }))
    default:
      return fail(new RegistrationError({ code: answer.error, description }))
  }
}

/** A poll that failed in transit, or on a gateway error page, is tried this many more times, one interval apart. */
export const TRANSIENT_RETRIES = 2

const isTransient = (error: LarkHttpError | LarkDecodeError): boolean =>
  error._tag === "LarkHttpError" && (error.reason === "Transport" || (error.httpStatus ?? 0) >= 500)

const timedOut = () => new RegistrationExpired({ description: "the QR code expired before the user confirmed" })

/** Sleeps `seconds`, unless the deadline comes first: then sleeps until it and fails. */
const waitBeforePoll = (seconds: number, deadline: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    now + seconds * 1000 < deadline
      ? Effect.sleep(Duration.seconds(seconds))
      : Effect.andThen(Effect.sleep(Duration.millis(Math.max(0, deadline - now))), Effect.fail(timedOut())))

/** Polls until the answer is final; the whole loop, requests included, ends at `expiresIn` after it starts. */
const pollUntilDone = (protocol: Protocol.Protocol, settings: Settings, begun: Protocol.BeginAnswer) =>
  Stream.unwrap(Effect.map(Clock.currentTimeMillis, (startedAt) => {
    const deadline = startedAt + begun.expiresIn * 1000
    const first: Poller = {
      base: settings.domain,
      switched: settings.domain === settings.larkDomain,
      interval: begun.interval,
      wait: 0
    }
    return paginate(first, (poller: Poller) =>
      Effect.gen(function*() {
        yield* waitBeforePoll(poller.wait, deadline)
        const left = Duration.millis(Math.max(0, deadline - (yield* Clock.currentTimeMillis)))
        const answer = yield* protocol.poll(poller.base, begun.deviceCode).pipe(
          // a poll only reads the flow's state, so resending it after a network blip is safe
          Effect.retry({
            while: isTransient,
            times: TRANSIENT_RETRIES,
            schedule: Schedule.spaced(Duration.seconds(poller.interval))
          }),
          Effect.timeoutOption(left),
          Effect.flatMap(Option.match({ onNone: () => Effect.fail(timedOut()), onSome: Effect.succeed }))
        )
        return yield* fromOutcome(interpret(answer, poller, settings.larkDomain))
      }))
  }))

/**
 * Registers (or, with `appId`, updates) an app: emits `QrCode` once, `Status` while the user decides,
 * and ends with `Done`. Bad options fail with `RegistrationOptionsError` before any request.
 */
export const registerApp = (
  options: RegisterAppOptions = {}
): Stream.Stream<RegistrationEvent, RegistrationFailure, HttpClient.HttpClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const settings = yield* fromOutcome(validate(options))
    const protocol = yield* Protocol.make
    yield* protocol.init(settings.domain)
    const begun = yield* protocol.begin(settings.domain)
    const url = buildQrUrl(begun.verificationUriComplete, settings.qr)
    const qrCode = RegistrationEvent.QrCode({ url, expireIn: begun.expiresIn })
    // the deadline starts once the QR code has been handed on, as in the official SDKs
    return Stream.concat(Stream.make(qrCode), pollUntilDone(protocol, settings, begun))
  }))
