/**
 * The differences the suite lets through, in two separate lists:
 *
 * - `INTENTIONAL`: lark-effect differs from node-sdk on purpose. Each rule is a row of `docs/differences.md`
 *   (same id), where its reason is written.
 * - `KNOWN_OPEN`: our bugs, each named after the issue item that removes it. When the fix lands the rule is
 *   no longer needed, the suite says so, and the entry must go.
 *
 * A rule covers some calls and rewrites one aspect of a request into the form in which its difference no
 * longer shows; a difference is allowed when the rules that cover the call, applied together, make both
 * sides equal.
 */
import type { Api } from "../../scripts/codegen/catalog.js"
import type { Aspect, Case, Difference } from "./compare.js"
import { same } from "./compare.js"
import type { Body, Part } from "./recorder.js"

export type Side = "node" | "effect"

export interface Rule {
  readonly id: string
  /** What differs, in a few words (printed when the rule is no longer needed). */
  readonly what: string
  readonly aspect: Aspect
  readonly covers: (subject: Pick<Case, "api" | "name">) => boolean
  readonly normalise: (value: unknown, side: Side) => unknown
}

const isMultipart = (api: Api) => api.request_body?.content_type === "multipart/form-data"

const isEmptyBody = (body: unknown) => same(body, { json: {} }) || same(body, { form: {} })

export const INTENTIONAL: ReadonlyArray<Rule> = [
  {
    id: "no-body-on-get-without-data",
    what: "GET without data: node-sdk sends an empty body ({} or an empty form), lark-effect none",
    aspect: "body",
    covers: ({ api }) => api.http_method === "GET",
    normalise: (body, side) => side === "node" && isEmptyBody(body) ? null : body
  },
  {
    id: "path-parameters-escaped",
    what: "path parameters: lark-effect percent-encodes each (a / too), node-sdk inserts them as given",
    aspect: "path",
    covers: ({ api }) => api.path_params.length > 0,
    normalise: (path) => decodeURIComponent(path as string)
  },
  {
    id: "no-token-to-token-endpoints",
    what: "token endpoints: node-sdk sends a tenant token, lark-effect none",
    aspect: "token",
    covers: ({ api }) => api.access_tokens !== null && api.access_tokens.length === 0,
    normalise: (token, side) => side === "node" && token === "tenant" ? "none" : token
  },
  {
    id: "app-token-where-app-token",
    what: "app_access_token APIs: node-sdk sends a tenant token, lark-effect the app token",
    aspect: "token",
    covers: ({ api }) => api.access_tokens !== null && api.access_tokens.includes("app") && !api.access_tokens.includes("tenant"),
    normalise: (token, side) => side === "node" && token === "tenant" ? "app" : token
  },
  {
    id: "file-part-file-name",
    what: "uploads: lark-effect names a bytes file part after its field (filename=), node-sdk gives a Buffer no name",
    aspect: "body",
    covers: ({ api }) => isMultipart(api),
    normalise: (body, side) => {
      const form = (body as Extract<Body, { form: unknown }> | null)?.form
      if (side === "node" || form === undefined) return body
      const unnamed = (name: string, part: Part): Part => {
        if (part.file !== name) return part
        const { file: _, ...rest } = part
        return rest
      }
      return { form: Object.fromEntries(Object.entries(form).map(([name, part]) => [name, unnamed(name, part)])) }
    }
  }
]

/** Empty: the GET/DELETE bodies, `{}` without data and the version-less names of issue 15 were fixed. */
export const KNOWN_OPEN: ReadonlyArray<Rule> = []

const RULES = [...INTENTIONAL, ...KNOWN_OPEN]

const equalUnder = (rules: ReadonlyArray<Rule>, difference: Difference) => {
  const apply = (value: unknown, side: Side) => rules.reduce((current, rule) => rule.normalise(current, side), value)
  return same(apply(difference.node, "node"), apply(difference.effect, "effect"))
}

export interface Verdict {
  /** Differences no rule allows. */
  readonly unexplained: ReadonlyArray<Difference>
  /** Rules that cover some of the calls but allowed nothing that needed them. */
  readonly unneeded: ReadonlyArray<Rule>
}

/** Which differences are not allowed, and which rules covering `subjects` are no longer needed. */
export const judge = (subjects: ReadonlyArray<Pick<Case, "api" | "name">>, differences: ReadonlyArray<Difference>): Verdict => {
  const needed = new Set<Rule>()
  const unexplained: Array<Difference> = []
  for (const difference of differences) {
    const rules = RULES.filter((rule) => rule.aspect === difference.aspect && rule.covers(difference))
    if (!equalUnder(rules, difference)) {
      unexplained.push(difference)
      continue
    }
    for (const rule of rules) if (!equalUnder(rules.filter((other) => other !== rule), difference)) needed.add(rule)
  }
  const unneeded = RULES.filter((rule) => !needed.has(rule) && subjects.some((subject) => rule.covers(subject)))
  return { unexplained, unneeded }
}
