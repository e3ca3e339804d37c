/**
 * The fast schema check (`Schema.is`, then the value itself) against the full lenient decode and encode,
 * on generated schemas: for every value the two agree (both accept with equal values, or both refuse).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as ContactUser from "../../schemas/contact/v3/user.js"
import * as ImChat from "../../schemas/im/v1/chat.js"
import * as ImMessage from "../../schemas/im/v1/message.js"
import * as ImModels from "../../schemas/im/v1/models.js"
import { isPlain, lenientDecoder, lenientEncoder } from "../../src/internal/plainSchema.js"

const schemasOf = (module: Record<string, unknown>) =>
  Object.entries(module).filter((entry): entry is [string, Schema.Schema<any, any>] => Schema.isSchema(entry[1]))

const generated = [ImMessage, ImChat, ImModels, ContactUser].flatMap(schemasOf)

const full = {
  decode: (schema: Schema.Schema<any, any>) => Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve", errors: "all" }),
  encode: (schema: Schema.Schema<any, any>) => Schema.encodeUnknownEither(schema, { onExcessProperty: "preserve", errors: "all" })
}

/** The same answer: both Right with deep-equal values, or both Left. */
const agree = (fast: Either.Either<unknown, unknown>, slow: Either.Either<unknown, unknown>, what: string) => {
  assert.strictEqual(fast._tag, slow._tag, what)
  if (Either.isRight(fast) && Either.isRight(slow)) assert.deepStrictEqual(fast.right, slow.right, what)
}

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
    assert.isFalse(isPlain(Schema.Struct({ a: Schema.optionalWith(Schema.String, { default: () => "" }) }).ast))
    assert.isFalse(isPlain(Schema.Struct({ when: Schema.Date }).ast))
    assert.isTrue(isPlain(Schema.Struct({ n: Schema.Int }).ast))
  })

  it("for random valid and invalid values the fast check answers what the full decode and encode answer", () => {
    for (const [name, schema] of generated) {
      const decode = lenientDecoder(schema)
      const encode = lenientEncoder(schema)
      const values = FastCheck.sample(Arbitrary.make(schema), { numRuns: 15, seed: 7 })
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
    assert.deepStrictEqual<unknown>(Either.getOrThrow(lenientDecoder(schema)(answer)), { count: 3, extra: true })
    assert.isTrue(Either.isLeft(lenientDecoder(schema)({ count: 3 })))
  })
})
