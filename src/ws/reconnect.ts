/**
 * When to try again, by the server's policy (`ClientConfig`):
 *
 * - attempt 1 (right after a drop or a failed first connect) waits a random time in `[0, ReconnectNonce)`
 *   seconds, so that many clients dropped at once do not come back at once;
 * - later attempts wait `ReconnectInterval` seconds plus up to 10 % jitter;
 * - after `ReconnectCount` attempts (negative: never) without a connection, it gives up.
 *
 * An established connection resets the count. Terminal failures (see `errors.ts`) are never retried, and
 * with `autoReconnect: false` nothing is (as node-sdk's `WSClient`, for a first connect too).
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { ClientConfig } from "./endpoint.js"
import { type ConnectionError, LongConnectionDisconnected, type LongConnectionError, type LongConnectionTransportError } from "./errors.js"

/** Retrying cannot help: credentials, forbidden, the connection limit (transport failures are always retried). */
export const isTerminal = (error: ConnectionError): error is Exclude<ConnectionError, LongConnectionTransportError> =>
  !error.retryable

/**
 * The error that ends `run` after `error`, or `undefined` to reconnect: a terminal error as it is; with
 * `autoReconnect` off, any other failure too (`wasConnected`: the failed attempt had connected).
 */
export const endingError = (error: ConnectionError, autoReconnect: boolean, wasConnected: boolean): LongConnectionError | undefined =>
  isTerminal(error) ? error : autoReconnect ? undefined : new LongConnectionDisconnected({ wasConnected, failure: error })

/**
 * The wait before reconnect attempt `attempt` (1-based), or `None` once the budget is spent. `random` is a
 * number in `[0, 1)`; `floor` is the shortest wait (a server answering 0 must not make a busy loop).
 */
export const delayBefore = (
  policy: ClientConfig,
  attempt: number,
  random: number,
  floor: Duration.Duration
): Option.Option<Duration.Duration> => {
  if (policy.reconnectCount >= 0 && attempt > policy.reconnectCount) return Option.none()
  const seconds = attempt <= 1
    ? random * Math.max(policy.reconnectNonce, 0)
    : Math.max(policy.reconnectInterval, 0) * (1 + random / 10)
  return Option.some(Duration.max(Duration.millis(Math.round(seconds * 1000)), floor))
}
