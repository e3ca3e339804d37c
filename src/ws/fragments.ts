/**
 * Reassembly of long messages the server splits into parts (headers `message_id`, `sum`, `seq`).
 *
 * Parts may arrive in any order. A message is complete when every `seq` in `[0, sum)` arrived; its payload
 * is the parts concatenated by `seq`. A message whose parts stop arriving expires `ttl` after its latest
 * part (the server redelivers an unacknowledged message whole). Limits bound the memory a misbehaving
 * peer can take: parts per message, bytes per message, and messages pending at once (the least recently
 * touched is evicted first).
 *
 * The store is plain synchronous state; the caller passes the time (from `Clock`).
 */
import * as Duration from "effect/Duration"
import { decodeDuration, type DurationInput } from "../internal/dialect.js"

export interface Limits {
  /** How long an incomplete message is kept after its latest part. Default 5 seconds. */
  readonly ttl: DurationInput
  /** Most parts one message may have (`sum`). Default 256. */
  readonly maxParts: number
  /** Most bytes one message may have, all parts together. Default 16 MiB. */
  readonly maxBytes: number
  /** Most incomplete messages kept at once. Default 64. */
  readonly maxPending: number
}

export const defaultLimits: Limits = {
  ttl: Duration.seconds(5),
  maxParts: 256,
  maxBytes: 16 * 1024 * 1024,
  maxPending: 64
}

export type Offered =
  | { readonly _tag: "Complete"; readonly payload: Uint8Array }
  | { readonly _tag: "Pending" }
  /** The part (and the message it belongs to) was dropped; `reason` says why. */
  | { readonly _tag: "Dropped"; readonly reason: string }

export interface Part {
  readonly messageId: string | undefined
  /** `sum` header as received (absent = 1). */
  readonly sum: string | undefined
  /** `seq` header as received (absent = 0). */
  readonly seq: string | undefined
  readonly payload: Uint8Array
}

interface Pending {
  readonly parts: Array<Uint8Array | undefined>
  received: number
  bytes: number
  expiresAt: number
}

export interface Store {
  /** Adds a part received at `now` (ms). */
  readonly offer: (part: Part, now: number) => Offered
  /** Incomplete messages held right now. */
  readonly pending: () => number
}

const wholeNumber = (text: string | undefined, absent: number): number =>
  text === undefined ? absent : /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN

const concat = (parts: ReadonlyArray<Uint8Array | undefined>, bytes: number): Uint8Array => {
  const out = new Uint8Array(bytes)
  let offset = 0
  for (const part of parts) {
    out.set(part!, offset)
    offset += part!.length
  }
  return out
}

export const make = (limits: Partial<Limits> = {}): Store => {
  const { maxBytes, maxParts, maxPending } = { ...defaultLimits, ...limits }
  const ttl = Duration.toMillis(decodeDuration(limits.ttl ?? defaultLimits.ttl))
  // Insertion order is last-touch order (a touched entry is re-inserted), which with one TTL is expiry order.
  const messages = new Map<string, Pending>()

  const prune = (now: number) => {
    for (const [id, entry] of messages) {
      if (entry.expiresAt > now) break
      messages.delete(id)
    }
  }

  const offer = (part: Part, now: number): Offered => {
    prune(now)
    const sum = wholeNumber(part.sum, 1)
    const seq = wholeNumber(part.seq, 0)
    if (!(sum >= 1 && seq >= 0 && seq < sum)) return { _tag: "Dropped", reason: `invalid sum ${part.sum} / seq ${part.seq}` }
    if (sum === 1) return { _tag: "Complete", payload: part.payload }
    if (sum > maxParts) return { _tag: "Dropped", reason: `${sum} parts is more than the limit of ${maxParts}` }
    if (part.messageId === undefined || part.messageId === "") {
      return { _tag: "Dropped", reason: "a part without message_id" }
    }
    const id = part.messageId
    let entry = messages.get(id)
    if (entry !== undefined && entry.parts.length !== sum) {
      messages.delete(id)
      return { _tag: "Dropped", reason: `message parts disagree on sum (${entry.parts.length} and ${sum})` }
    }
    if (entry === undefined) {
      if (messages.size >= maxPending) messages.delete(messages.keys().next().value!)
      entry = { parts: new Array(sum), received: 0, bytes: 0, expiresAt: 0 }
    } else {
      messages.delete(id)
    }
    const previous = entry.parts[seq]
    if (previous === undefined) entry.received++
    entry.bytes += part.payload.length - (previous?.length ?? 0)
    // a copy: the payload is a view into its whole frame, which a part's 1-byte payload would otherwise keep alive
    entry.parts[seq] = part.payload.slice()
    if (entry.bytes > maxBytes) return { _tag: "Dropped", reason: `message larger than the limit of ${maxBytes} bytes` }
    if (entry.received === sum) return { _tag: "Complete", payload: concat(entry.parts, entry.bytes) }
    entry.expiresAt = now + ttl
    messages.set(id, entry)
    return { _tag: "Pending" }
  }

  return { offer, pending: () => messages.size }
}
