/**
 * The schema checks of every call (payload, response) and of typed event payloads, built once per schema
 * and fast on valid values. The generated schemas are almost all "plain": structs, arrays, unions, literals
 * and keywords, with no transformation anywhere. Decoding or encoding a valid value with such a schema
 * builds an equal copy of it, so checking it with `Schema.is` and keeping the value itself gives the same
 * result at a fraction of the cost (no copy, no parse-result objects). Anything else, or a value that fails
 * the check, goes through the full decode or encode, which also builds the error.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/**
 * Whether decoding with `ast` can only accept or refuse a value, never change it: no transformation and no
 * declaration (a custom parser) anywhere in it. Refinements only check. A recursive schema is followed once.
 */
export const isPlain = (ast: AST.AST, seen: Set<AST.AST> = new Set()): boolean => {
  switch (ast._tag) {
    case "Transformation":
    case "Declaration":
      return false
    case "Refinement":
      return isPlain(ast.from, seen)
    case "Suspend": {
      if (seen.has(ast)) return true
      seen.add(ast)
      return isPlain(ast.f(), seen)
    }
    case "TypeLiteral":
      return ast.propertySignatures.every((property) => isPlain(property.type, seen)) &&
        ast.indexSignatures.every((index) => isPlain(index.type, seen))
    case "TupleType":
      return ast.elements.every((element) => isPlain(element.type, seen)) &&
        ast.rest.every((rest) => isPlain(rest.type, seen))
    case "Union":
      return ast.types.every((member) => isPlain(member, seen))
    default:
      return true
  }
}

type Check = (value: unknown) => Either.Either<unknown, ParseResult.ParseError>

/** `full`, preceded by `Schema.is` when the schema is plain: a valid value is answered as it is. */
const checked = (schema: Schema.Schema<any, any>, full: Check): Check => {
  if (!isPlain(schema.ast)) return full
  const valid = Schema.is(schema)
  return (value) => (valid(value) ? Either.right(value) : full(value))
}

/** `make(schema)`, built once per schema. */
const memoized = (make: (schema: Schema.Schema<any, any>) => Check) => {
  const built = new WeakMap<Schema.Schema<any, any>, Check>()
  return (schema: Schema.Schema<any, any>): Check => {
    let check = built.get(schema)
    if (check === undefined) built.set(schema, check = make(schema))
    return check
  }
}

const lenient = { onExcessProperty: "preserve", errors: "all" } as const

const decoderOf = memoized((schema) => checked(schema, Schema.decodeUnknownEither(schema, lenient)))

/** The lenient decoder of `schema` (unknown fields kept, all errors reported), built once per schema. */
export const lenientDecoder = <A>(schema: Schema.Schema<A, any>): (value: unknown) => Either.Either<A, ParseResult.ParseError> =>
  decoderOf(schema) as (value: unknown) => Either.Either<A, ParseResult.ParseError>

/**
 * The payload encoder of `schema`, built once per schema: fields the schema does not know go out as they are
 * (the platform may know them).
 */
export const lenientEncoder = memoized((schema) => checked(schema, Schema.encodeUnknownEither(schema, lenient)))
