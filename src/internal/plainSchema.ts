/**
 * The schema checks of every call (payload, response) and of typed event payloads, built once per schema
 * and fast on valid values. The generated schemas are almost all "plain": structs, arrays, unions, literals
 * and keywords, with no transformation anywhere. Decoding or encoding a valid value with such a schema
 * builds an equal copy of it, so checking it with `Schema.is` and keeping the value itself gives the same
 * result at a fraction of the cost (no copy, no parse-result objects). Anything else, or a value that fails
 * the check, goes through the full decode or encode, which also builds the error. The check is `Schema.is`,
 * compiled on Effect 3 (`guardFor`).
 *
 * @internal
 */
import { type DecodeError, guardFor, isPlain, lenientDecode, lenientEncode, type Outcome, type SchemaOf, succeed } from "./dialect.js"

export { isPlain }

type Check = (value: unknown) => Outcome<unknown, DecodeError>

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const prototype = Object.getPrototypeOf(u)
  return prototype === Object.prototype || prototype === null
}

/**
 * `value` without the own `__proto__` keys `JSON.parse` makes from the network's text, at any depth (copied
 * only where one is): a full decode or encode copies the keys a schema does not know into a new object, and
 * assigning `__proto__` there would set that object's prototype to what the sender chose.
 */
export const withoutProtoKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    let copy: Array<unknown> | undefined
    for (let i = 0; i < value.length; i++) {
      const clean = withoutProtoKeys(value[i])
      if (clean !== value[i]) (copy ??= value.slice())[i] = clean
    }
    return copy ?? value
  }
  if (!isPlainObject(value)) return value
  let copy: Record<string, unknown> | undefined
  for (const key of Object.keys(value)) {
    if (key === "__proto__") {
      // a spread copies it as an own property, which `delete` removes (no prototype is set either way)
      delete (copy ??= { ...value })[key]
      continue
    }
    const clean = withoutProtoKeys(value[key])
    if (clean !== value[key]) (copy ??= { ...value })[key] = clean
  }
  return copy ?? value
}

/** `full`, preceded by `Schema.is` when the schema is plain: a valid value is answered as it is. */
const checked = (schema: SchemaOf<any>, full: Check): Check => {
  const safe: Check = (value) => full(withoutProtoKeys(value))
  if (!isPlain(schema.ast)) return safe
  const valid = guardFor(schema)
  return (value) => (valid(value) ? succeed(value) : safe(value))
}

/** `make(schema)`, built once per schema. */
const memoized = (make: (schema: SchemaOf<any>) => Check) => {
  const built = new WeakMap<SchemaOf<any>, Check>()
  return (schema: SchemaOf<any>): Check => {
    let check = built.get(schema)
    if (check === undefined) built.set(schema, check = make(schema))
    return check
  }
}

const decoderOf = memoized((schema) => checked(schema, lenientDecode(schema)))

/** The lenient decoder of `schema` (unknown fields kept, all errors reported), built once per schema. */
export const lenientDecoder = <A>(schema: SchemaOf<A>): (value: unknown) => Outcome<A, DecodeError> =>
  decoderOf(schema) as (value: unknown) => Outcome<A, DecodeError>

/**
 * The payload encoder of `schema`, built once per schema: fields the schema does not know go out as they are
 * (the platform may know them).
 */
export const lenientEncoder = memoized((schema) => checked(schema, lenientEncode(schema)))
