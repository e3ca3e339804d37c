/**
 * How one HTTP attempt through the platform's `HttpClient` is bounded in time, replaceable by the transport.
 *
 * A transport that enforces deadlines itself says how, as a change to the context its client reads (the
 * undici layer's request options, the `node:http` client's socket timeout): {@link AttemptDeadline}. Each
 * attempt sent through the client (`internal/throughClient.ts`: any other `HttpClient`, and streamed downloads)
 * runs with that change, and the transport fails a late attempt with a transport error whose cause carries
 * one of {@link TIMEOUT_CODES}, which the executor reports as a `LarkHttpError` with reason `"Timeout"`.
 * Without one (or for a deadline the transport cannot keep precisely) the attempt is raced against the
 * `Clock` ({@link raceClock}): it works everywhere and under `TestClock`, but costs a fiber per attempt. (The
 * transports' own exchanges, `Exchange.withExchange`, keep their deadlines themselves.)
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { raceClock, withContextPatched } from "./internal/dialect.js"

/** For a timeout: the context change that makes the transport enforce it, or `undefined` when it cannot. */
export type ContextDeadline = (timeout: Duration.Duration) => ((context: Context.Context<never>) => Context.Context<never>) | undefined

/** The transport's {@link ContextDeadline}; by default none, so attempts are raced against the `Clock`. */
export { AttemptDeadline } from "./internal/dialect.js"

/** Bounds one attempt by `timeout`: through the transport when `deadline` can, else by a `Clock` race. */
export const bound = <A, E, R, E2>(
  deadline: ContextDeadline,
  attempt: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> => {
  const patch = deadline(timeout)
  return patch === undefined ? raceClock(attempt, timeout, onTimeout) : withContextPatched(attempt, patch)
}

/** The `code` of a deadline that lark-effect's own code saw pass (a `Clock` race, a silent socket). */
export const ATTEMPT_TIMEOUT_CODE = "ERR_LARK_ATTEMPT_TIMEOUT"

/** Error codes (on a transport failure's cause chain) that mean "the deadline passed". */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", ATTEMPT_TIMEOUT_CODE])
