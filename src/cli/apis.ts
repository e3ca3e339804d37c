/**
 * Finds a generated API function by its node SDK name, loading only that service's module. The service
 * must be one of the directories of the generated API: nothing else is ever imported.
 */
import { fileURLToPath } from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type { LarkConfig } from "../LarkConfig.js"
import type { LarkError } from "../LarkError.js"
import type { CallOptions, Payload } from "../Operation.js"
import { UsageError } from "./flags.js"

export type ApiFunction = (payload: Payload, options?: CallOptions) => Effect.Effect<unknown, LarkError, LarkConfig | HttpClient.HttpClient>

const API_DIRECTORY = fileURLToPath(new URL("../api/", import.meta.url))

const SERVICE = /^[a-z][a-z0-9_]*$/
const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/

/** The services of the generated API: the directories next to this module's `../api`. */
const services = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(API_DIRECTORY)).pipe(
  Effect.map((names) => names.filter((name) => SERVICE.test(name)).sort()),
  Effect.orDie
)

/** `chat_members` as the generated code names it, `chatMembers`. */
const camel = (segment: string) => segment.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())

/**
 * A resource's companions are not APIs of their own: `xPages` / `xStream` beside `x` (its paging and
 * streaming forms) and `x_` beside `x` (a reserved word's binding).
 */
const isCompanion = (method: string, resource: Record<string, unknown>) =>
  ["Pages", "Stream", "_"].some((suffix) =>
    method.endsWith(suffix) && Object.hasOwn(resource, method.slice(0, -suffix.length)))

/** Every API of a service by full name: `im.v1.message.create` and, when bound, `im.message.create`. */
export const namesOf = (service: string, root: Record<string, unknown>): ReadonlyMap<string, ApiFunction> => {
  const names = new Map<string, ApiFunction>()
  const addResource = (prefix: string, resource: Record<string, unknown>) => {
    for (const [method, fn] of Object.entries(resource)) {
      if (typeof fn === "function" && !isCompanion(method, resource)) names.set(`${prefix}.${method}`, fn as ApiFunction)
    }
  }
  for (const [key, value] of Object.entries(root)) {
    const entries = Object.entries(value as Record<string, Record<string, unknown>>)
    if (/^v\d+$/.test(key)) for (const [resource, methods] of entries) addResource(`${service}.${key}.${resource}`, methods)
    else addResource(`${service}.${key}`, value as Record<string, unknown>)
  }
  return names
}

const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Up to 10 names close to `wanted`: those under it (a resource was named), else the nearest few. */
export const closeMatches = (wanted: string, names: Iterable<string>): ReadonlyArray<string> => {
  const all = [...names]
  const under = all.filter((name) => name.startsWith(`${wanted}.`)).sort()
  if (under.length > 0) return under.slice(0, 10)
  const limit = Math.max(2, Math.floor(wanted.length / 4))
  return all
    .map((name) => [name, distance(wanted.toLowerCase(), name.toLowerCase())] as const)
    .filter(([, d]) => d <= limit)
    .sort((x, y) => x[1] - y[1])
    .slice(0, 5)
    .map(([name]) => name)
}

const unknown = (what: string, matches: ReadonlyArray<string>) =>
  new UsageError({ message: matches.length === 0 ? what : `${what}; did you mean ${matches.join(", ")}?` })

/** The API function behind `name` (`service.version.resource.method` or `service.resource.method`). */
export const resolve = (name: string): Effect.Effect<ApiFunction, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const [service = "", ...rest] = name.split(".")
    if (rest.length < 1 || rest.length > 3 || !rest.every((segment) => SEGMENT.test(segment))) {
      return yield* new UsageError({
        message: `${JSON.stringify(name)} is not an API name: use service.version.resource.method or service.resource.method, e.g. im.v1.message.create`
      })
    }
    const known = yield* services
    if (!known.includes(service)) return yield* unknown(`unknown service ${JSON.stringify(service)}`, closeMatches(service, known))
    // a variable, not a template literal, so that Vite (the tests) leaves the import to Node's own resolution
    const specifier = `../api/${service}/index.js`
    const module: Record<string, unknown> = yield* Effect.promise(() => import(specifier))
    const names = namesOf(service, module[service] as Record<string, unknown>)
    const wanted = [service, ...rest.map(camel)].join(".")
    const fn = names.get(wanted)
    return fn ?? (yield* unknown(`unknown API ${JSON.stringify(name)}`, closeMatches(wanted, names.keys())))
  })
