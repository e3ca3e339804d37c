/**
 * Seeded payloads that are valid per the catalog: path parameters, query parameters (arrays as arrays) and
 * a body with every required field, optional fields by seed, enums from their lists, int64 as decimal
 * strings, nested models, and bytes for files. The same API and seed always give the same payload, whatever
 * else was built before, so a difference found under one seed can be replayed alone.
 */
import type { Api, CatalogType, Field, Model } from "../../scripts/codegen/catalog.js"
import { fnv1a, mulberry32 } from "../fixtures/random.js"

export interface Payload {
  readonly path?: Record<string, string>
  readonly params?: Record<string, unknown>
  readonly data?: Record<string, unknown>
}

/**
 * Seed 0 fills every optional field, seed 1 only the required ones; later seeds pick at random, and put a
 * slash, a space and a non-ASCII letter in path parameters.
 */
export const SEEDS = [0, 1, 2] as const

/** Below this depth of nested models only required fields are filled, so recursive models end. */
const FULL_DEPTH = 3

// Texts that survive every encoding on the wire but still need escaping in a query or JSON.
const TEXTS = ["plain", "with space", "ünïcödé 飞书", "a&b=c+d", "quote\"back\\slash", "emoji 🚀"] as const

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

class Draw {
  private readonly next: () => number
  constructor(seed: number, key: string) {
    this.next = mulberry32(fnv1a(`${seed}:${key}`)) // each API draws from its own stream
  }
  int(below: number): number {
    return Math.floor(this.next() * below)
  }
  pick<A>(items: ReadonlyArray<A>): A {
    return items[this.int(items.length)]!
  }
  chance(probability: number): boolean {
    return this.next() < probability
  }
  /** An identifier-like value: letters and digits after a prefix. */
  id(prefix: string): string {
    let out = `${prefix}_`
    for (let i = 0; i < 10; i++) out += ALPHABET[this.int(ALPHABET.length)]
    return out
  }
  /** A positive int64 beyond 2^53, as its decimal text. */
  int64(): string {
    let out = String(1 + this.int(9))
    for (let i = 0; i < 18; i++) out += String(this.int(10))
    return out
  }
}

export type Models = Readonly<Record<string, Model>>

const builder = (models: Models, seed: number, draw: Draw) => {
  const keep = (field: Field, depth: number) =>
    field.required === true || (depth < FULL_DEPTH && (seed === 0 || (seed !== 1 && draw.chance(0.6))))

  const value = (type: CatalogType, name: string, depth: number): unknown => {
    switch (type.type) {
      case "string":
        if (type.enum !== undefined && type.enum.length > 0) return draw.pick(type.enum)
        if (type.format === "int64") return draw.int64()
        return draw.chance(0.5) ? draw.id(name) : `${name} ${draw.pick(TEXTS)}`
      case "integer":
      case "number":
        return draw.int(1000)
      case "float":
        return draw.int(1000) + 0.5
      case "boolean":
        return draw.chance(0.5)
      case "file":
        return Buffer.from(Array.from({ length: 1 + draw.int(16) }, () => draw.int(256)))
      case "any":
        return draw.pick<unknown>([draw.id(name), draw.int(1000), { [name]: draw.id("any") }])
      case "object":
        return { [draw.id("key")]: draw.id("value") }
      case "array":
        return Array.from({ length: 1 + draw.int(3) }, () => value(type.items, name, depth))
      case "map":
        return { [draw.id("key")]: value(type.values, name, depth) }
      case "union":
        return value(draw.pick(type.of), name, depth)
      case "ref": {
        const model = models[type.model]
        if (model === undefined) throw new Error(`no model ${type.model}`)
        return object(model.fields, depth + 1)
      }
    }
  }

  const object = (fields: ReadonlyArray<Field>, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const field of fields) if (keep(field, depth)) out[field.name] = value(field.type, field.name, depth)
    return out
  }

  return { keep, value, object }
}

/** The payload of `api` under `seed`, in node-sdk's shape (`path`, `params`, `data`). */
export const payloadFor = (api: Api, models: Models, seed: number): Payload => {
  const draw = new Draw(seed, api.id)
  const build = builder(models, seed, draw)
  const payload: { path?: Record<string, string>; params?: Record<string, unknown>; data?: Record<string, unknown> } = {}
  if (api.path_params.length > 0) {
    const id = (name: string) => seed > 1 ? `${draw.id(name)}/ü x` : draw.id(name)
    payload.path = Object.fromEntries(api.path_params.map((param) =>
      [param.name, param.type.type === "string" && param.type.format !== "int64" ? id(param.name) : draw.int64()]
    ))
  }
  const params = api.query_params.filter((param) => build.keep(param, 0))
  if (params.length > 0) {
    payload.params = Object.fromEntries(params.map((param) => {
      const scalar = param.is_array && param.type.type === "array" ? param.type.items : param.type
      const one = () => build.value(scalar, param.name, 0)
      return [param.name, param.is_array ? Array.from({ length: 1 + draw.int(3) }, one) : one()]
    }))
  }
  if (api.request_body !== null && api.request_body.fields.length > 0) {
    payload.data = build.object(api.request_body.fields, 0)
  }
  return payload
}
