/**
 * What `schemas/` is written in (the generator's output and `schemas/common.ts`): Effect 3's Schema spellings,
 * here made of Effect 4's Schema. The Effect 4 edition's schema modules import this instead of `effect/Schema`
 * (scripts/edition.ts). Everything not below is Effect 4's own. The next step is the generator emitting Effect
 * 4's spellings for the edition, which makes this module go away (docs/effect4.md).
 */
import * as Effect from "effect/Effect"
import * as S from "effect/Schema"

export * from "effect/Schema"

/** A schema decoding to `A`: Effect 3's `Schema<A>`. */
export type Schema<A> = S.Codec<A, any>

/** Effect 3's `Literal(a, b, ...)`: one literal, or `Literals([a, b, ...])`. */
export const Literal = <const Values extends ReadonlyArray<string | number | boolean>>(...values: Values): S.Codec<Values[number]> =>
  (values.length === 1 ? S.Literal(values[0]!) : S.Literals(values)) as S.Codec<Values[number]>

/** Effect 3's `Union(a, b, ...)`: Effect 4 takes an array. */
export const Union = <const Members extends ReadonlyArray<S.Top>>(...members: Members): S.Union<Members> => S.Union(members)

/** Effect 3's `Record({ key, value })`: Effect 4 takes them as two arguments. */
export const Record = <K extends S.Record.Key, V extends S.Top>(fields: { readonly key: K; readonly value: V }): S.$Record<K, V> =>
  S.Record(fields.key, fields.value)

/** Effect 3's `optionalWith(schema, { default })`: an optional key decoded (and constructed) to the default. */
export const optionalWith = <Item extends S.Top & S.WithoutConstructorDefault>(
  schema: Item,
  options: { readonly default: () => Item["Type"] & Item["Encoded"] }
) =>
  schema.pipe(
    S.withConstructorDefault(Effect.sync(options.default)),
    S.withDecodingDefaultKey(Effect.sync(options.default))
  )

/** Effect 3's `annotations(...)` for `pipe`: Effect 4's `annotate`. */
export const annotations = (annotations: S.Annotations.Bottom<unknown, readonly []>) => <Item extends S.Top>(schema: Item): Item["Rebuild"] =>
  schema.annotate(annotations)
