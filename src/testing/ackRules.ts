/**
 * The platform's rules for an ack on the long connection (spec §6.7), as `FakeLongConnection` checks them.
 * An ack is the data frame it answers, sent back: the same SeqID, LogID, service, method and headers, one
 * more header `biz_rt` (the handler's milliseconds, never negative), and a JSON payload
 * `{ code, headers?, data? }` whose `data`, when present, is the base64 of a JSON value.
 */
import { decodeBase64, fail, getFailure, getSuccess, isFailure, matchOutcome, type Outcome, succeed } from "../internal/dialect.js"
import type * as Frame from "../ws/frame.js"

/** A data frame the fake sent, as far as its ack must echo it. */
export interface Sent {
  readonly messageId: string
  readonly logId: bigint
  readonly service: number
  /** The headers of each part: a client acks a split message with the frame of whichever part came last. */
  readonly parts: ReadonlyArray<ReadonlyArray<Frame.Header>>
}

/** An ack's payload. */
export interface Body {
  readonly code: number
  /** `data` decoded (base64, then JSON); `undefined` when absent. */
  readonly data: unknown
}

export interface Options {
  /** Take a negative `biz_rt` as valid (node-sdk's `WSClient` writes start − end). */
  readonly acceptNegativeBizRt?: boolean | undefined
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** What is wrong with `ack` as the answer to `sent`: the decoded body, or every broken rule. */
export const check = (sent: Sent, ack: Frame.Frame, options: Options = {}): Outcome<Body, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  if (ack.logId !== sent.logId) problems.push(`LogID ${ack.logId}, sent ${sent.logId}`)
  if (ack.service !== sent.service) problems.push(`service ${ack.service}, sent ${sent.service}`)
  // the closest part: for a valid ack, the one it answers
  const headers = sent.parts.map((part) => headerProblems(part, ack.headers))
    .reduce((best, next) => next.length < best.length ? next : best)
  problems.push(...headers, ...bizRtProblems(ack.headers, options))
  const body = bodyOf(ack.payload)
  if (isFailure(body)) {
    problems.push(getFailure(body))
    return fail(problems)
  }
  return problems.length === 0 ? succeed(getSuccess(body)) : fail(problems)
}

/** The sent headers echoed unchanged, once each, and nothing added but `biz_rt`. */
const headerProblems = (sent: ReadonlyArray<Frame.Header>, got: ReadonlyArray<Frame.Header>): Array<string> => {
  const problems: Array<string> = []
  for (const { key, value } of sent) {
    const values = got.filter((h) => h.key === key).map((h) => h.value)
    if (values.length === 0) problems.push(`header ${key} missing`)
    else if (values.length > 1) problems.push(`header ${key} repeated`)
    else if (values[0] !== value) problems.push(`header ${key} is "${values[0]}", sent "${value}"`)
  }
  const added = new Set(got.map((h) => h.key).filter((key) => key !== "biz_rt" && !sent.some((h) => h.key === key)))
  for (const key of added) problems.push(`header ${key} added`)
  return problems
}

const bizRtProblems = (got: ReadonlyArray<Frame.Header>, options: Options): Array<string> => {
  const values = got.filter((h) => h.key === "biz_rt").map((h) => h.value)
  if (values.length === 0) return ["no biz_rt header"]
  if (values.length > 1) return ["biz_rt repeated"]
  const value = values[0]!
  if (!/^-?\d+$/.test(value)) return [`biz_rt "${value}" is not a whole number of milliseconds`]
  if (Number(value) < 0 && options.acceptNegativeBizRt !== true) {
    return [`biz_rt ${value} is negative`]
  }
  return []
}

const bodyOf = (payload: Uint8Array | undefined): Outcome<Body, string> => {
  const json = parse(payload === undefined ? undefined : decodeUtf8(payload))
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("payload is not a JSON object")
  const { code, data, headers } = json as Record<string, unknown>
  if (typeof code !== "number" || !Number.isInteger(code)) return fail("payload has no integer code")
  if (headers !== undefined && headers !== null && (typeof headers !== "object" || Array.isArray(headers))) {
    return fail("payload headers is not an object")
  }
  if (data === undefined || data === null) return succeed({ code, data: undefined })
  const decoded = typeof data === "string" ? matchOutcome(decodeBase64(data), { onFailure: () => undefined, onSuccess: (bytes) => bytes }) : undefined
  const value = decoded === undefined ? undefined : parse(decodeUtf8(decoded))
  return value === undefined ? fail("payload data is not the base64 of a JSON value") : succeed({ code, data: value })
}

const decodeUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

const parse = (text: string | undefined): unknown => {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
