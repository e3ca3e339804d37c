/**
 * What `streamReply` and `streamCard` share: the notes shown when a stream ends badly, the batching bound,
 * and how a write the stream survives or ends with is reported.
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { localSetting } from "../internal/dialect.js"

export const DEFAULT_EMPTY_NOTE = "(no answer)"
export const DEFAULT_FAILED_NOTE = "⚠️ The answer failed and is incomplete."
export const DEFAULT_INTERRUPTED_NOTE = "⚠️ The answer was interrupted and is incomplete."
// groupedWithin wants a size bound; the time window is what batches here.
export const UNBOUNDED_BATCH = 1_000_000

/**
 * Receives every card write that failed without failing the stream call: an update the stream went on
 * after, the note written after a failure or an interruption. Nothing by default; the channel publishes
 * them as `Error` events (`source: "stream"`).
 */
export const failedWriteReport = localSetting<(cause: Cause.Cause<unknown>) => Effect.Effect<void>>(
  "lark-effect/channel/failedWriteReport",
  () => Effect.void
)

/** Logs a failed write (`what` failed) and hands it to {@link failedWriteReport}. */
export const failedWrite = (what: string, cause: Cause.Cause<unknown>): Effect.Effect<void> =>
  Effect.andThen(
    Effect.logWarning(`lark channel: ${what}`, cause),
    Effect.flatMap(failedWriteReport, (report) => report(cause))
  )
