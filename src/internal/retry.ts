/**
 * What may be sent again, and when.
 *
 * A failure is retried only when sending again cannot apply a write twice: the platform said "too many
 * requests", the connection was never made, or the API has no side effects (GET / marked idempotent).
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import { TIMEOUT_CODES } from "../AttemptTimeout.js"
import { ANSWER_TOO_LARGE_CODE } from "../Exchange.js"
import type { LarkError } from "../LarkError.js"
import { withDelayFloor } from "./dialect.js"

/** A failure that may be retried, with the least time to wait first (from `x-ogw-ratelimit-reset`). */
export class Retryable extends Data.TaggedError("Retryable")<{
  readonly error: LarkError
  readonly atLeast: Duration.Duration
}> {}

export const retryable = (error: LarkError, atLeast: Duration.Duration = Duration.zero) =>
  new Retryable({ error, atLeast })

/** Error codes of failures that happen while connecting, before any byte of the request left. */
const connectionNeverMade = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** The `code` strings on an error's cause chain (and inside AggregateErrors). */
export const errorCodes = (cause: unknown): Array<string> => {
  const codes: Array<string> = []
  for (let current = cause, depth = 0; current !== null && typeof current === "object" && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    const errors = (current as { errors?: unknown }).errors // AggregateError from happy-eyeballs connects
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner))
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

/** True when the transport failure proves the request never reached the server. */
export const neverSent = (cause: unknown): boolean => {
  const codes = errorCodes(cause)
  return codes.length > 0 && codes.every((code) => connectionNeverMade.has(code))
}

/** True when the transport failure says the attempt's deadline passed. */
export const deadlinePassedIn = (cause: unknown): boolean => errorCodes(cause).some((code) => TIMEOUT_CODES.has(code))

/** True when the transport failure says the answer was larger than the call reads. */
export const answerTooLargeIn = (cause: unknown): boolean => errorCodes(cause).includes(ANSWER_TOO_LARGE_CODE)

/** `x-ogw-ratelimit-reset`: seconds until the rate-limit window resets. */
export const rateLimitReset = (header: string | undefined): Duration.Duration => {
  const seconds = header === undefined ? NaN : Number(header)
  return Number.isFinite(seconds) && seconds > 0 ? Duration.seconds(Math.min(seconds, 300)) : Duration.zero
}

/**
 * Runs `attempt` again on `Retryable` failures, waiting as `schedule` says but never less than the failure
 * asks for; when the schedule gives up (or the failure is final) the underlying `LarkError` is returned.
 * Nothing of this is built on the path of a call that succeeds at once.
 */
export const withRetries = <A, R>(
  attempt: Effect.Effect<A, LarkError | Retryable, R>,
  schedule: Schedule.Schedule<unknown, unknown>,
  operation: string
): Effect.Effect<A, LarkError, R> =>
  Effect.catchTag(attempt, "Retryable", (first) => {
    // Replays the first failure to the schedule so that it counts and its wait applies, then re-sends.
    let replayed = false
    const again = Effect.suspend(() => replayed ? attempt : (replayed = true, Effect.fail(first)))
    return again.pipe(
      Effect.tapError((failure) =>
        failure._tag === "Retryable"
          ? Effect.logDebug(`${operation}: retrying after ${failure.error._tag}`, failure.error.message)
          : Effect.void
      ),
      Effect.retry({
        schedule: withDelayFloor(schedule, (failure: LarkError | Retryable) =>
          failure._tag === "Retryable" ? failure.atLeast : Duration.zero),
        while: (failure) => failure._tag === "Retryable"
      }),
      // the schedule gave up: the failure of the last attempt
      Effect.catchTag("Retryable", (failure) => Effect.fail(failure.error))
    )
  })
