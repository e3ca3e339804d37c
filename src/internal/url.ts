/**
 * Turns an operation's path template and the payload's `path` / `params` into a URL.
 */
import { fail, mapOutcome, type Outcome, succeed } from "./dialect.js"
import type { Payload, QueryScalar, QueryValue } from "../Operation.js"

const placeholder = /:([A-Za-z_][A-Za-z0-9_]*)/g

/**
 * A segment that URL parsing removes (`.`) or resolves against the one before it (`..`): escaping leaves dots
 * as they are, so `/open-apis/im/v1/files/..` would be sent to `/open-apis/im/v1/`, another path.
 */
const isDotSegment = (segment: string) => segment === "." || segment === ".."

const listed = (names: ReadonlyArray<string>) => `path parameter${names.length > 1 ? "s" : ""} ${names.join(", ")}`

/**
 * Substitutes `:name` placeholders with URL-escaped values. A missing or empty value is an error: sending
 * `/messages/:message_id` or `/messages/` would reach the wrong API. So is a value of `.` or `..`, which
 * would name another path once the URL is parsed.
 */
export const fillPath = (template: string, values: Payload["path"]): Outcome<string, string> => {
  const missing: Array<string> = []
  const dotted: Array<string> = []
  const filled = template.replace(placeholder, (_, name: string) => {
    const value = values?.[name]
    if (value === undefined || value === null || String(value) === "") {
      missing.push(name)
      return ""
    }
    const segment = encodeURIComponent(String(value))
    if (isDotSegment(segment)) dotted.push(name)
    return segment
  })
  if (missing.length > 0) return fail(`missing ${listed(missing)}`)
  if (dotted.length > 0) return fail(`${listed(dotted)} cannot be "." or "..": the URL would name another path`)
  return succeed(filled)
}

const scalar = (value: QueryScalar) => encodeURIComponent(typeof value === "string" ? value : String(value))

/** `k=a&k=b` for arrays, `true` / `false` for booleans; `undefined` and `null` are left out. */
export const encodeQuery = (params: Readonly<Record<string, QueryValue>> | undefined): string => {
  if (params === undefined) return ""
  const parts: Array<string> = []
  for (const key in params) {
    const value = params[key]
    if (value === undefined || value === null) continue
    const name = encodeURIComponent(key)
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<QueryScalar>) parts.push(`${name}=${scalar(item)}`)
    } else {
      parts.push(`${name}=${scalar(value as QueryScalar)}`)
    }
  }
  return parts.join("&")
}

/** The full URL: an absolute path is used as it is, a relative one is joined to `base` with one slash. */
export const build = (base: string, template: string, payload: Payload): Outcome<string, string> =>
  mapOutcome(fillPath(template, payload.path), (path) => {
    const joined = /^https?:\/\//.test(path) ? path : `${base}/${path.replace(/^\/+/, "")}`
    const query = encodeQuery(payload.params)
    return query === "" ? joined : `${joined}${joined.includes("?") ? "&" : "?"}${query}`
  })
