/**
 * Runs each case through both SDKs against the recording server and reports every way the two requests
 * differ: whether lark-effect has the function, whether each sent exactly one request, then method, path,
 * query, body and token kind.
 */
import { Effect } from "effect"
import type { Api } from "../../scripts/codegen/catalog.js"
import { type Models, payloadFor } from "./payloads.js"
import { DOWNLOAD_PREFIX, type Recorder, type WireRequest } from "./recorder.js"
import type { Call, effectSide, nodeSide } from "./sides.js"

export interface Case {
  readonly api: Api
  readonly models: Models
  /** The function's node-sdk path, the same on both sides. */
  readonly name: ReadonlyArray<string>
  readonly seed: number
}

export type Aspect = "missing" | "sent" | "method" | "path" | "query" | "body" | "token"

export interface Difference {
  readonly api: Api
  /** The name called, as in `Case`. */
  readonly name: ReadonlyArray<string>
  readonly seed: number
  readonly aspect: Aspect
  readonly node: unknown
  readonly effect: unknown
}

const ASPECTS = ["method", "path", "query", "body", "token"] as const

/** Structural equality of JSON-like values, key order aside. */
export const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  return keysA.length === keysB.length &&
    keysA.every((key) => Object.hasOwn(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

/** A user-only API is called with a user token on both sides. */
export const actsAsUser = (api: Api) =>
  api.access_tokens !== null && api.access_tokens.length > 0 && api.access_tokens.every((kind) => kind === "user")

const differences = (
  subject: Case,
  node: ReadonlyArray<WireRequest>,
  effect: ReadonlyArray<WireRequest>,
  effectFailure: unknown
): Array<Difference> => {
  const base = { api: subject.api, name: subject.name, seed: subject.seed }
  if (node.length !== 1 || effect.length !== 1) {
    const sent = (requests: ReadonlyArray<WireRequest>, failure?: unknown) =>
      requests.length === 0 && failure !== undefined ? `none: ${String(failure)}` : `${requests.length} requests`
    return [{ ...base, aspect: "sent", node: sent(node), effect: sent(effect, effectFailure) }]
  }
  return ASPECTS.filter((aspect) => !same(node[0]![aspect], effect[0]![aspect]))
    .map((aspect) => ({ ...base, aspect, node: node[0]![aspect], effect: effect[0]![aspect] }))
}

export interface Comparison {
  readonly differences: ReadonlyArray<Difference>
  /** How many of node-sdk's requests carried each kind of token: the server's tokens reached the SDKs. */
  readonly nodeTokens: Readonly<Record<string, number>>
}

type Sides = { readonly node: ReturnType<typeof nodeSide>; readonly effect: ReturnType<typeof effectSide> }

interface Outcome {
  readonly differences: ReadonlyArray<Difference>
  readonly node: ReadonlyArray<WireRequest>
}

const compareOne = (subject: Case, sides: Sides, recorder: Recorder) => {
  if (!sides.effect.has(subject.name)) {
    const missing: Difference = { api: subject.api, name: subject.name, seed: subject.seed, aspect: "missing", node: "a function", effect: "none" }
    return Effect.succeed<Outcome>({ differences: [missing], node: [] })
  }
  const key = `${subject.api.file_download ? DOWNLOAD_PREFIX : ""}${subject.name.join(".")}#${subject.seed}`
  // each side builds its own payload: neither can see what the other did to it
  const call = (side: string): Call => ({
    name: subject.name,
    payload: payloadFor(subject.api, subject.models, subject.seed),
    asUser: actsAsUser(subject.api),
    call: `${key}@${side}`
  })
  return Effect.gen(function*() {
    const [, effectFailure] = yield* Effect.all([sides.node.call(call("node")), sides.effect.call(call("effect"))], {
      concurrency: 2
    })
    const node = yield* recorder.take(`${key}@node`)
    const effect = yield* recorder.take(`${key}@effect`)
    return { differences: differences(subject, node, effect, effectFailure), node } satisfies Outcome
  })
}

/** Every difference over the cases, run `concurrency` at a time (both SDKs of one case together). */
export const compareAll = (cases: ReadonlyArray<Case>, sides: Sides, recorder: Recorder, concurrency: number) =>
  Effect.map(Effect.forEach(cases, (subject) => compareOne(subject, sides, recorder), { concurrency }), (outcomes): Comparison => {
    const nodeTokens: Record<string, number> = {}
    for (const { node } of outcomes) for (const { token } of node) nodeTokens[token] = (nodeTokens[token] ?? 0) + 1
    return { differences: outcomes.flatMap((outcome) => outcome.differences), nodeTokens }
  })
