/**
 * The fast schema check (`Schema.is`, then the value itself) against the full lenient decode and encode,
 * on generated schemas: for every value the two agree (both accept with equal values, or both refuse).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as ContactUser from "../../schemas/contact/v3/user.js"
import * as ImChat from "../../schemas/im/v1/chat.js"
import * as ImMessage from "../../schemas/im/v1/message.js"
import * as ImModels from "../../schemas/im/v1/models.js"
import {
  getSuccess,
  isFailure,
  lenientDecode,
  lenientEncode,
  matchOutcome,
  optionalWithDefault,
  type Outcome,
  type SchemaOf
} from "../../src/internal/dialect.js"
import { isPlain, lenientDecoder, lenientEncoder, withoutProtoKeys } from "../../src/internal/plainSchema.js"
import { lenientDecodeKeepsUnknownFields, sample } from "../dialect.js"

const schemasOf = (module: Record<string, unknown>) =>
  Object.entries(module).filter((entry): entry is [string, SchemaOf<any>] => Schema.isSchema(entry[1]))

const generated = [ImMessage, ImChat, ImModels, ContactUser].flatMap(schemasOf)

/** The full lenient decode and encode (all errors reported), without the fast check. */
const full = { decode: lenientDecode, encode: lenientEncode }

/** `value` with only the fields `shape` has, at every depth (arrays item by item). */
const knownPart = (value: unknown, shape: unknown): unknown => {
  if (Array.isArray(value) && Array.isArray(shape)) return value.map((item, i) => knownPart(item, shape[i]))
  if (typeof value !== "object" || value === null || typeof shape !== "object" || shape === null) return value
  return Object.fromEntries(Object.keys(shape).map((key) => [key, knownPart((value as Record<string, unknown>)[key], (shape as Record<string, unknown>)[key])]))
}

/**
 * The same answer: both successes with deep-equal values, or both failures. Where the full decode drops the
 * fields a schema does not know (Effect 4), the fast check (the value itself) keeps them: its value less those
 * fields must be the full decode's.
 */
const agree = (fast: Outcome<unknown, unknown>, slow: Outcome<unknown, unknown>, what: string) => {
  assert.strictEqual(isFailure(fast), isFailure(slow), what)
  if (isFailure(fast) || isFailure(slow)) return
  const kept = lenientDecodeKeepsUnknownFields ? getSuccess(fast) : knownPart(getSuccess(fast), getSuccess(slow))
  assert.deepStrictEqual(kept, getSuccess(slow), what)
}

const successOf = <A>(outcome: Outcome<A, unknown>): A =>
  matchOutcome(outcome, {
    onFailure: (error): never => {
      throw new Error(`expected a success, got ${String(error)}`)
    },
    onSuccess: (value) => value
  })

/** A value a little off: one field of an object replaced by something of another type. */
const mutated = (value: unknown, seed: number): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return seed % 2 === 0 ? null : 42
  const keys = Object.keys(value)
  if (keys.length === 0) return { ...value, extra: "kept" }
  const key = keys[seed % keys.length]!
  return { ...value, [key]: mutated((value as Record<string, unknown>)[key], seed + 1) }
}

describe("plain schemas", () => {
  it("the generated payload and response schemas are plain; a transformation or a declaration is not", () => {
    assert.isAbove(generated.length, 50)
    for (const [name, schema] of generated) assert.isTrue(isPlain(schema.ast), name)
    assert.isFalse(isPlain(Schema.NumberFromString.ast))
    assert.isFalse(isPlain(Schema.Struct({ a: optionalWithDefault(Schema.String, () => "") }).ast))
    assert.isFalse(isPlain(Schema.Struct({ when: Schema.Date }).ast))
    assert.isTrue(isPlain(Schema.Struct({ n: Schema.Int }).ast))
  })

  it("for random valid and invalid values the fast check answers what the full decode and encode answer", () => {
    for (const [name, schema] of generated) {
      const decode = lenientDecoder(schema)
      const encode = lenientEncoder(schema)
      const values = sample(schema, { count: 15, seed: 7 })
      values.forEach((value, i) => {
        agree(decode(value), full.decode(schema)(value), `${name} decode #${i}`)
        agree(encode(value), full.encode(schema)(value), `${name} encode #${i}`)
        const off = mutated(value, i)
        agree(decode(off), full.decode(schema)(off), `${name} decode of a mutated value #${i}`)
      })
    }
  })

  it("a schema that transforms keeps the full decode", () => {
    const schema = Schema.Struct({ count: Schema.NumberFromString })
    const answer: unknown = { count: "3", extra: true }
    // Effect 4's decode has no `onExcessProperty: "preserve"`: there a transforming schema drops unknown fields
    assert.deepStrictEqual<unknown>(successOf(lenientDecoder(schema)(answer)), lenientDecodeKeepsUnknownFields ? { count: 3, extra: true } : { count: 3 })
    assert.isTrue(isFailure(lenientDecoder(schema)({ count: 3 })))
  })

  it("a __proto__ key from the network never becomes a prototype, at any depth, on either path", () => {
    const received = JSON.parse('{"count":"3","user":{"id":"u1","__proto__":{"role":"admin"}},"list":[{"__proto__":{"admin":true}}]}')
    const schemas: ReadonlyArray<SchemaOf<any>> = [
      Schema.Struct({ count: Schema.NumberFromString, user: Schema.Struct({ id: Schema.String }) }), // full decode
      Schema.Struct({ count: Schema.String, user: Schema.Struct({ id: Schema.String }) }) // plain: the value itself
    ]
    for (const schema of schemas) {
      const decoded = successOf(lenientDecoder(schema)(received)) as {
        user: Record<string, unknown>
        list?: Array<Record<string, unknown>>
      }
      assert.strictEqual(decoded.user.id, "u1")
      assert.isUndefined(decoded.user.role)
      assert.strictEqual(Object.getPrototypeOf(decoded.user), Object.prototype)
      if (decoded.list !== undefined) assert.isUndefined(decoded.list[0]!.admin)
    }
    assert.strictEqual(withoutProtoKeys(received.user.id), "u1")
    const clean = { a: [1, { b: 2 }] }
    assert.strictEqual(withoutProtoKeys(clean), clean) // nothing to drop: the same value, no copy
  })
})
