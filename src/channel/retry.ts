/**
 * The channel's outbound retry settings (the Python channel's `OutboundConfig.retry`: 3 attempts, 500 ms
 * base). They only set how often and how far apart; *what* is retried stays the executor's rule (see
 * `internal/retry.ts`): rate limiting, a connection never made, or an API without side effects. A refused
 * message (format, permission, a recalled target) is never sent again.
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import { decodeDurationOption, type DurationInput, fail, intersectSchedules, type Outcome, succeed } from "../internal/dialect.js"

export interface OutboundRetry {
  /** Attempts in all, the first included (default 3; 1 turns retrying off). */
  readonly maxAttempts?: number | undefined
  /** The wait before the first retry; each later wait doubles, all jittered by ±20 % (default 500 ms). */
  readonly baseDelay?: DurationInput | undefined
}

export const DEFAULT_MAX_ATTEMPTS = 3
export const DEFAULT_BASE_DELAY = Duration.millis(500)

/** The schedule of `settings`, or why they are invalid. */
export const retrySchedule = (settings: OutboundRetry = {}): Outcome<Schedule.Schedule<unknown, unknown>, string> => {
  const attempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (!Number.isInteger(attempts) || attempts < 1) return fail("retry.maxAttempts must be a whole number of at least 1")
  const base = decodeDurationOption(settings.baseDelay ?? DEFAULT_BASE_DELAY)
  if (base._tag === "None") return fail("retry.baseDelay is not a duration")
  return succeed(intersectSchedules(Schedule.exponential(base.value).pipe(Schedule.jittered), Schedule.recurs(attempts - 1)))
}
