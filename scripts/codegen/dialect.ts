/**
 * How each major of Effect spells the Schema constructs the generated schemas use: the only thing that differs
 * between the two renderings of the catalog. `effect3` is what `npm run codegen` writes into `schemas/` (and the
 * published package ships); `effect4` is what `scripts/edition.ts` writes into the Effect 4 edition
 * (docs/effect4.md). Everything else the generator writes (`Schema.Struct`, `Schema.optional`, `Schema.Array`,
 * `Schema.String`, `Schema.suspend`, ...) reads the same on both, and so does `schemas/common.ts` but for the
 * spellings below (scripts/codegen/common.ts).
 *
 * Each function takes code (schema expressions, already rendered) and returns code.
 */

export interface Dialect {
  readonly name: "effect3" | "effect4"
  /** The declared type of a schema that decodes to (and encodes from) the type named `type`. */
  readonly schemaOf: (type: string) => string
  /** A schema of one of the given literals (each already written as code, e.g. `"text"`); at least one. */
  readonly literals: (values: ReadonlyArray<string>) => string
  /** A schema of any of the given members. */
  readonly union: (members: ReadonlyArray<string>) => string
  /** A record from `key` to `value` schemas. */
  readonly record: (key: string, value: string) => string
  /** `pipe` arguments annotating a schema with `annotations` (an object literal). */
  readonly annotate: (annotations: string) => string
  /** A struct field: an optional key decoded (and constructed) to `value` when absent. */
  readonly optionalWithDefault: (schema: string, value: string) => string
  /** The imports a module needs besides `effect/Schema` for the spellings above. */
  readonly defaultImports: ReadonlyArray<string>
}

/**
 * Effect 3 (`effect` 3.22): variadic `Literal` and `Union`, `Record({ key, value })`, `Schema<A>`, `annotations`,
 * `optionalWith(schema, { default })`.
 */
export const effect3: Dialect = {
  name: "effect3",
  schemaOf: (type) => `Schema.Schema<${type}>`,
  literals: (values) => `Schema.Literal(${values.join(", ")})`,
  union: (members) => `Schema.Union(${members.join(", ")})`,
  record: (key, value) => `Schema.Record({ key: ${key}, value: ${value} })`,
  annotate: (annotations) => `Schema.annotations(${annotations})`,
  optionalWithDefault: (schema, value) => `Schema.optionalWith(${schema}, { default: () => ${value} })`,
  defaultImports: []
}

/**
 * Effect 4 (`effect` 4.1.5): `Literal` takes one literal and `Literals` an array, `Union` an array, `Record` the
 * key and value as two arguments; a schema decoding to `A` from `A` is a `Codec<A>` (`Schema<A>` has no encoded
 * side there); `annotate` for `annotations`; a default is a constructor default and a decoding default.
 */
export const effect4: Dialect = {
  name: "effect4",
  schemaOf: (type) => `Schema.Codec<${type}>`,
  literals: (values) => values.length === 1 ? `Schema.Literal(${values[0]})` : `Schema.Literals([${values.join(", ")}])`,
  union: (members) => `Schema.Union([${members.join(", ")}])`,
  record: (key, value) => `Schema.Record(${key}, ${value})`,
  annotate: (annotations) => `Schema.annotate(${annotations})`,
  optionalWithDefault: (schema, value) =>
    `${schema}.pipe(Schema.withConstructorDefault(Effect.succeed(${value})), Schema.withDecodingDefault(Effect.succeed(${value})))`,
  defaultImports: [`import * as Effect from "effect/Effect"`]
}
