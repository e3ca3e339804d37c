/** What `streamReply` and `streamCard` share: the notes shown when a stream ends badly, and the batching bound. */

export const DEFAULT_EMPTY_NOTE = "(no answer)"
export const DEFAULT_FAILED_NOTE = "⚠️ The answer failed and is incomplete."
export const DEFAULT_INTERRUPTED_NOTE = "⚠️ The answer was interrupted and is incomplete."
// groupedWithin wants a size bound; the time window is what batches here.
export const UNBOUNDED_BATCH = 1_000_000
