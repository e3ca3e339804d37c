/**
 * The compiled `Schema.is` of Effect 3 (`guardFor`, `src/internal/guard.ts`) against `Schema.is` itself: for
 * every value, valid, a little off or anything at all, both answer the same, on schemas with every node the
 * compiler handles (and some it leaves to `Schema.is`), and on generated payload and response schemas.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as ApprovalInstance from "../../schemas/approval/v4/instance.js"
import * as ContactUser from "../../schemas/contact/v3/user.js"
import * as ImChat from "../../schemas/im/v1/chat.js"
import * as ImMessage from "../../schemas/im/v1/message.js"
import * as ImModels from "../../schemas/im/v1/models.js"
import { guardFor, type SchemaOf } from "../../src/internal/dialect.js"

interface Tree {
  readonly name: string
  readonly children: ReadonlyArray<Tree>
}
const Tree: Schema.Schema<Tree> = Schema.Struct({
  name: Schema.String,
  children: Schema.Array(Schema.suspend(() => Tree))
})

enum Color {
  Red = "red",
  Blue = 2
}

const handMade: ReadonlyArray<[string, SchemaOf<any>]> = [
  ["keywords", Schema.Struct({ s: Schema.String, n: Schema.Number, b: Schema.Boolean, u: Schema.Unknown, a: Schema.Any })],
  ["optional fields", Schema.Struct({ required: Schema.String, optional: Schema.optional(Schema.Number), exact: Schema.optionalWith(Schema.String, { exact: true }) })],
  ["a required field that admits undefined", Schema.Struct({ maybe: Schema.UndefinedOr(Schema.String) })],
  ["literals and null", Schema.Struct({ kind: Schema.Literal("a", "b", 1, true), nothing: Schema.NullOr(Schema.Literal("x")) })],
  ["a record beside fields", Schema.Struct({ id: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) }))],
  ["a record of refined keys", Schema.Record({ key: Schema.String.pipe(Schema.minLength(2)), value: Schema.Number })],
  ["a record of symbol keys", Schema.Record({ key: Schema.SymbolFromSelf, value: Schema.String })],
  ["arrays", Schema.Struct({ items: Schema.Array(Schema.Struct({ v: Schema.Number })), nonEmpty: Schema.NonEmptyArray(Schema.String) })],
  ["tuples", Schema.Tuple(Schema.String, Schema.optionalElement(Schema.Number))],
  ["a tuple with a rest and a tail", Schema.Tuple([Schema.String], Schema.Number, Schema.Boolean)],
  ["a discriminated union", Schema.Union(
    Schema.Struct({ type: Schema.Literal("text"), text: Schema.String }),
    Schema.Struct({ type: Schema.Literal("image"), key: Schema.String, width: Schema.optional(Schema.Number) }),
    Schema.Struct({ other: Schema.Boolean })
  )],
  ["refinements", Schema.Struct({ int: Schema.Int, short: Schema.String.pipe(Schema.maxLength(3)), positive: Schema.Number.pipe(Schema.positive()) })],
  ["recursion", Tree],
  ["nodes left to Schema.is", Schema.Struct({ color: Schema.Enums(Color), id: Schema.TemplateLiteral("ou_", Schema.String), big: Schema.BigIntFromSelf })]
]

const schemasOf = (module: Record<string, unknown>) =>
  Object.entries(module).filter((entry): entry is [string, SchemaOf<any>] => Schema.isSchema(entry[1]))

const generated = [ImMessage, ImChat, ImModels, ContactUser, ApprovalInstance].flatMap(schemasOf)

/** `value` a little off, in a way picked by `seed`: a field dropped, replaced, or the whole value replaced. */
const mutated = (value: unknown, seed: number, noise: unknown): unknown => {
  if (Array.isArray(value)) {
    if (value.length === 0) return seed % 2 === 0 ? [noise] : noise
    const at = seed % value.length
    return value.map((item, i) => (i === at ? mutated(item, seed + 1, noise) : item))
  }
  if (typeof value !== "object" || value === null) return noise
  const keys = Object.keys(value)
  if (keys.length === 0) return seed % 2 === 0 ? { ...value, extra: noise } : noise
  const key = keys[seed % keys.length]!
  switch (seed % 3) {
    case 0: {
      const { [key]: _, ...rest } = value as Record<string, unknown>
      return rest
    }
    case 1:
      return { ...value, [key]: noise }
    default:
      return { ...value, [key]: mutated((value as Record<string, unknown>)[key], seed + 1, noise) }
  }
}

/** Valid values of `schema`, each also a little off, and values of any shape: `guardFor` answers as `Schema.is`. */
const holdsTo = (name: string, schema: SchemaOf<any>, count: number) => {
  const fast = guardFor(schema)
  const slow = Schema.is(schema)
  const valid = FastCheck.sample(Arbitrary.make(schema), { numRuns: count, seed: 11 })
  const noise = FastCheck.sample(FastCheck.anything({ withBigInt: true }), { numRuns: count, seed: 12 })
  valid.forEach((value, i) => {
    assert.isTrue(fast(value), `${name}: valid value #${i}`)
    const off = mutated(value, i, noise[i])
    assert.strictEqual(fast(off), slow(off), `${name}: mutated value #${i}: ${FastCheck.stringify(off)}`)
  })
  noise.forEach((value, i) => assert.strictEqual(fast(value), slow(value), `${name}: value of any shape #${i}`))
}

describe("guardFor", () => {
  it("answers as Schema.is on schemas of every node it compiles, and of nodes it leaves to Schema.is", () => {
    for (const [name, schema] of handMade) holdsTo(name, schema, 200)
  })

  it("answers as Schema.is on generated payload and response schemas", () => {
    assert.isAbove(generated.length, 80)
    for (const [name, schema] of generated) holdsTo(name, schema, 12)
  })

  it("keeps Schema.is's exact reading of optional fields, tuple lengths and record keys", () => {
    const struct = guardFor(Schema.Struct({ a: Schema.optionalWith(Schema.String, { exact: true }), b: Schema.UndefinedOr(Schema.Number) }))
    assert.isTrue(struct({ b: undefined }))
    assert.isFalse(struct({}), "a required key that admits undefined must still be there")
    assert.isFalse(struct({ a: undefined, b: 1 }), "an exact optional key present with undefined")
    const tuple = guardFor(Schema.Tuple([Schema.String], Schema.Number, Schema.Boolean))
    assert.isTrue(tuple(["a", true]))
    assert.isTrue(tuple(["a", 1, 2, false]))
    assert.isFalse(tuple(["a"]), "the tail element is required")
    assert.isFalse(tuple(["a", 1, true, 2]))
    assert.isFalse(guardFor(Schema.Tuple(Schema.String))(["a", "b"]), "no element beyond a tuple without a rest")
    const record = guardFor(Schema.Record({ key: Schema.String.pipe(Schema.minLength(2)), value: Schema.Number }))
    assert.isTrue(record({ a: "not checked: its key is not the record's", bb: 1 }))
    assert.isFalse(record({ bb: "x" }))
  })
})
