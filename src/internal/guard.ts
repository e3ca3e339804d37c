/**
 * Effect 3's `Schema.is`, compiled from the schema's AST into plain predicates: the same answer without the
 * parse results `Schema.is` builds on the way (an `Either` and a copy of the value for every field, on every
 * call and event payload checked). The nodes generated schemas are made of are compiled (structs, records,
 * arrays, unions, literals, keywords, refinements, recursion); any other node is answered by `Schema.is` of
 * that node. `tests/internal/guard.test.ts` holds it to `Schema.is` on valid and broken values.
 *
 * @internal
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

export type Guard = (value: unknown) => boolean

/** The options `Schema.is` parses with, as its refinements' filters see them. */
const IS_OPTIONS: AST.ParseOptions = { exact: true }

const always: Guard = () => true

const hasOwn = Object.prototype.hasOwnProperty

/** What `Schema.is` takes for a struct: an object that is not an array. */
const isRecord = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const built = new WeakMap<AST.AST, Guard>()

/** The guard of `ast`, built once per node. */
export const guardOf = (ast: AST.AST): Guard => {
  let guard = built.get(ast)
  if (guard === undefined) built.set(ast, guard = compile(ast))
  return guard
}

/** The keys of `value` an index signature with this parameter checks. */
const indexKeys = (parameter: AST.AST): ((value: object) => ReadonlyArray<PropertyKey>) => {
  switch (parameter._tag) {
    case "SymbolKeyword":
      return Object.getOwnPropertySymbols
    case "Refinement":
      return indexKeys(parameter.from)
    default: // string keys: StringKeyword, TemplateLiteral
      return Object.keys
  }
}

const struct = (ast: AST.TypeLiteral): Guard => {
  // `{}` is anything but null and undefined, arrays and strings included
  if (ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0) return (value) => value != null
  const properties = ast.propertySignatures.map((property) => ({
    name: property.name,
    optional: property.isOptional,
    guard: guardOf(property.type)
  }))
  const indexes = ast.indexSignatures.map((index) => ({
    keys: indexKeys(index.parameter),
    key: guardOf(index.parameter),
    guard: guardOf(index.type)
  }))
  return (value) => {
    if (!isRecord(value)) return false
    for (const { guard, name, optional } of properties) {
      // exact: a required key must be there, even when its type admits `undefined`
      if (!hasOwn.call(value, name)) {
        if (optional) continue
        return false
      }
      if (!guard(value[name])) return false
    }
    for (const { guard, key, keys } of indexes) {
      for (const name of keys(value)) if (key(name) && !guard(value[name])) return false
    }
    return true
  }
}

const tuple = (ast: AST.TupleType): Guard => {
  const elements = ast.elements.map((element) => ({ optional: element.isOptional, guard: guardOf(element.type) }))
  const [head, ...tail] = ast.rest.map((rest) => guardOf(rest.type))
  const required = elements.filter((element) => !element.optional).length + tail.length
  return (value) => {
    if (!Array.isArray(value)) return false
    const length = value.length
    if (length < required || (head === undefined && length > elements.length)) return false
    let i = 0
    for (; i < elements.length; i++) if (i < length && !elements[i]!.guard(value[i])) return false
    if (head === undefined) return true
    for (; i < length - tail.length; i++) if (!head(value[i])) return false
    for (let j = 0; j < tail.length; j++) if (i + j < length && !tail[j]!(value[i + j])) return false
    return true
  }
}

const union = (ast: AST.Union): Guard => {
  const members = ast.types.map(guardOf)
  // a loop, not `some`: no closure per check (an optional field is a union, so this runs many times a call)
  return (value) => {
    for (const member of members) if (member(value)) return true
    return false
  }
}

const compile = (ast: AST.AST): Guard => {
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "NumberKeyword":
      return (value) => typeof value === "number"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "UndefinedKeyword":
      return (value) => value === undefined
    case "UnknownKeyword":
    case "AnyKeyword":
    case "VoidKeyword":
      return always
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "TypeLiteral":
      return struct(ast)
    case "TupleType":
      return tuple(ast)
    case "Union":
      return union(ast)
    case "Refinement": {
      const from = guardOf(ast.from)
      return (value) => from(value) && Option.isNone(ast.filter(value, IS_OPTIONS, ast))
    }
    case "Suspend": {
      // built on first use: the schema refers to itself
      let inner: Guard | undefined
      return (value) => (inner ??= guardOf(ast.f()))(value)
    }
    default:
      return Schema.is(Schema.make(ast))
  }
}
