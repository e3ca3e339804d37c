/**
 * Limits the long connection watches without enforcing them (the channel's `audit` security mode): a
 * reassembled message with more parts or bytes than a watched limit, and more handlings in flight than a
 * watched concurrency, are reported to `crossed` and then go ahead as usual. The enforced limits
 * (`Options.fragments`, `Options.concurrency`) apply as always.
 *
 * Reported once per crossing: a message once per limit it goes over (when it is complete), the handlings
 * once when their count first goes over the watched value, and again only after it has dropped back to it.
 *
 * @internal (not exported by the package: the channel maps crossings to its audit events)
 */
import * as Effect from "effect/Effect"
import type { Submit } from "./handlings.js"

export type Crossing =
  /** A multi-part message had more parts than `limit`. */
  | { readonly _tag: "FragmentParts"; readonly parts: number; readonly limit: number; readonly messageId: string | undefined }
  /** A multi-part message had more bytes (all parts together) than `limit`. */
  | { readonly _tag: "FragmentBytes"; readonly bytes: number; readonly limit: number; readonly messageId: string | undefined }
  /** More handlings in flight (running, or waiting for the enforced limit) than `limit`. */
  | { readonly _tag: "Concurrency"; readonly inFlight: number; readonly limit: number }

export interface Watch {
  readonly maxParts?: number | undefined
  readonly maxBytes?: number | undefined
  readonly concurrency?: number | undefined
  /** Told of every crossing, before the message goes ahead. */
  readonly crossed: (crossing: Crossing) => Effect.Effect<void>
}

/** The crossings of a complete multi-part message (none, one or both). */
export const fragmentCrossings = (
  watch: Watch,
  message: { readonly parts: number; readonly bytes: number; readonly messageId: string | undefined }
): ReadonlyArray<Crossing> => {
  const crossings: Array<Crossing> = []
  if (watch.maxParts !== undefined && message.parts > watch.maxParts) {
    crossings.push({ _tag: "FragmentParts", parts: message.parts, limit: watch.maxParts, messageId: message.messageId })
  }
  if (watch.maxBytes !== undefined && message.bytes > watch.maxBytes) {
    crossings.push({ _tag: "FragmentBytes", bytes: message.bytes, limit: watch.maxBytes, messageId: message.messageId })
  }
  return crossings
}

/**
 * `submit`, counting the handlings in flight (from submission to their end, however it ends, or to their
 * refusal when the queue is full): the one that
 * takes the count over `limit` is reported, and the next report waits until the count is back to `limit`.
 */
export const countHandlings = <R>(
  submit: Submit<R>,
  limit: number,
  crossed: (crossing: Crossing) => Effect.Effect<void>
): Submit<R> => {
  let inFlight = 0
  let over = false
  const done = Effect.sync(() => {
    inFlight--
    if (inFlight <= limit) over = false
  })
  return (handling, refused) =>
    Effect.suspend(() => {
      inFlight++
      const started = submit(Effect.ensuring(handling, done), () => Effect.andThen(done, refused()))
      if (over || inFlight <= limit) return started
      over = true
      return Effect.andThen(crossed({ _tag: "Concurrency", inFlight, limit }), started)
    })
}
