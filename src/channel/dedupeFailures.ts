/**
 * The channel's de-duplication store with every failure of it reported (the channel publishes an `Error`
 * event, `source: "dedupe"`); the failure then goes on as before (a failed claim asks the platform for a
 * redelivery). The in-memory store cannot fail and is used as it is, keeping the dispatch's fast path.
 */
import * as Effect from "effect/Effect"
import { type Service, unsafeStoreOf } from "../events/Dedupe.js"
import type { EventDedupeError } from "../events/errors.js"

export const reportingFailures = (store: Service, report: (error: EventDedupeError) => Effect.Effect<void>): Service =>
  unsafeStoreOf(store) !== undefined ? store : {
    claim: (id) => Effect.tapError(store.claim(id), report),
    complete: (id) => Effect.tapError(store.complete(id), report),
    release: (id) => Effect.tapError(store.release(id), report)
  }
