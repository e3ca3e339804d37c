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

/** Error codes (on a transport failure's cause chain) that mean "the deadline passed". */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ERR_LARK_ATTEMPT_TIMEOUT"])
