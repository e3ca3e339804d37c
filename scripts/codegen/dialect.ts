/**
 * How each major of Effect spells the Schema constructs the generated schemas use: the only thing that differs
 * between the two renderings of the catalog. `effect3` is what `npm run codegen` writes into `schemas/` (and the
 * published package ships); `effect4` is what `scripts/edition.ts` writes into the Effect 4 edition
 * (docs/effect4.md). Everything else the generator writes (`Schema.Struct`, `Schema.optional`, `Schema.Array`,
 * `Schema.String`, `Schema.suspend`, ...) reads the same on both.
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
}

/** Effect 3 (`effect` 3.22): variadic `Literal` and `Union`, `Record({ key, value })`, `Schema<A>`. */
export const effect3: Dialect = {
  name: "effect3",
  schemaOf: (type) => `Schema.Schema<${type}>`,
  literals: (values) => `Schema.Literal(${values.join(", ")})`,
  union: (members) => `Schema.Union(${members.join(", ")})`,
  record: (key, value) => `Schema.Record({ key: ${key}, value: ${value} })`
}

/**
 * Effect 4 (`effect` 4.1.5): `Literal` takes one literal and `Literals` an array, `Union` an array, `Record` the
 * key and value as two arguments; a schema decoding to `A` from `A` is a `Codec<A>` (`Schema<A>` has no encoded
 * side there).
 */
export const effect4: Dialect = {
  name: "effect4",
  schemaOf: (type) => `Schema.Codec<${type}>`,
  literals: (values) => values.length === 1 ? `Schema.Literal(${values[0]})` : `Schema.Literals([${values.join(", ")}])`,
  union: (members) => `Schema.Union([${members.join(", ")}])`,
  record: (key, value) => `Schema.Record(${key}, ${value})`
}
