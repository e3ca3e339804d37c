/**
 * How one HTTP attempt is bounded in time, replaceable by the transport.
 *
 * The default races the attempt against the `Clock` (`Effect.timeoutFail`): it works with any `HttpClient`
 * and under `TestClock`, but costs two extra fibers per attempt. A transport that can enforce a deadline
 * itself provides a cheaper strategy with its `HttpClient` layer (`lark-effect/layers` does so for undici):
 * it only has to make the attempt fail with a transport error whose cause carries one of
 * {@link TIMEOUT_CODES}, which the executor reports as a `LarkHttpError` with reason `"Timeout"`.
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export interface Strategy {
  <A, E, R, E2>(attempt: Effect.Effect<A, E, R>, timeout: Duration.Duration, onTimeout: () => E2): Effect.Effect<A, E | E2, R>
}

/** Races the attempt against a `Clock` sleep. */
export const race: Strategy = (attempt, timeout, onTimeout) =>
  Effect.timeoutFail(attempt, { duration: timeout, onTimeout })

/** The strategy in use: {@link race} unless a transport layer provides another. */
export class AttemptTimeout extends Context.Reference<AttemptTimeout>()("lark-effect/AttemptTimeout", {
  defaultValue: (): Strategy => race
}) {}

/**
 * For a transport whose deadline is a service in the context (the undici layer's request options): that
 * service for a timeout, or `undefined` where the transport needs {@link AttemptTimeout} instead. The executor
 * then adds it once per call, in the same context change as the call's span, rather than once per attempt:
 * every HTTP attempt of the call reads it (a token fetch inside the call still bounds its own attempts).
 */
export type ContextDeadline = (timeout: Duration.Duration) => ((context: Context.Context<never>) => Context.Context<never>) | undefined

/** The transport's {@link ContextDeadline}; by default none, and each attempt goes through {@link AttemptTimeout}. */
export class AttemptDeadlineContext extends Context.Reference<AttemptDeadlineContext>()("lark-effect/AttemptDeadlineContext", {
  defaultValue: (): ContextDeadline => () => undefined
}) {}

/** Error codes (on a transport failure's cause chain) that mean "the deadline passed". */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ERR_LARK_ATTEMPT_TIMEOUT"])
