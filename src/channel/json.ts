/**
 * Readers for JSON from the wire (an event payload, a message's content): a field of the wrong type reads as
 * absent, so that whatever a sender puts there, reading it never throws.
 */
import { isObject, type JsonObject } from "../events/dispatch.js"

export { isObject }

export type Json = JsonObject

export const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** A number, or a numeric string (int64 fields are strings). */
export const num = (u: unknown): number | undefined => {
  const n = typeof u === "number" ? u : typeof u === "string" && u !== "" ? Number(u) : NaN
  return Number.isFinite(n) ? n : undefined
}

/** The objects of a list; anything else (not a list, a `null` or a string in it) is skipped. */
export const objects = (u: unknown): ReadonlyArray<Json> => (Array.isArray(u) ? u.filter(isObject) : [])

/** The strings of a list; anything else is skipped. */
export const strings = (u: unknown): ReadonlyArray<string> =>
  Array.isArray(u) ? u.filter((item): item is string => typeof item === "string") : []
