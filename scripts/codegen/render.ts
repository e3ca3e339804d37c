/**
 * Catalog types to code: each type renders as a Schema expression and the TypeScript type it stands for.
 *
 * Every Schema call carries a PURE annotation, so that a bundler drops whatever schema a program does not use.
 * The few constructs each major of Effect spells its own way are written by the `Dialect` (dialect.ts).
 *
 * Two modes. `request`: required-ness and enums as the catalog says (a bad request fails before it is
 * sent). `response`: every field optional and enums as plain strings, so that an answer with a missing field
 * or a new enum value still decodes (DESIGN §6: lenient responses).
 */
import type { CatalogType, Field } from "./catalog.js"
import type { Dialect } from "./dialect.js"
import { propertyKey } from "./names.js"

export type Mode = "request" | "response"

export interface Rendered {
  readonly schema: string
  readonly type: string
}

/** How a reference to a model is written where it is used. */
export type ModelReference = (model: string) => Rendered

/** Identifiers the generated modules use themselves: a model with one of these names is renamed. */
const taken = new Set(["Schema", "UploadableFile", "Uploadable", "M"])

export const modelIdentifier = (model: string): string => taken.has(model) ? `${model}Model` : model

export const renderType = (type: CatalogType, mode: Mode, ref: ModelReference, dialect: Dialect): Rendered => {
  switch (type.type) {
    case "string":
      if (type.enum !== undefined && type.enum.length > 0 && mode === "request") {
        const literals = type.enum.map((value) => JSON.stringify(value))
        return { schema: `/*#__PURE__*/ ${dialect.literals(literals)}`, type: literals.join(" | ") }
      }
      return { schema: "Schema.String", type: "string" }
    case "integer":
    case "float":
    case "number":
      return { schema: "Schema.Number", type: "number" }
    case "boolean":
      return { schema: "Schema.Boolean", type: "boolean" }
    case "file":
      return { schema: "UploadableFile", type: "Uploadable" }
    case "any":
      return { schema: "Schema.Unknown", type: "unknown" }
    case "object":
      return { schema: `/*#__PURE__*/ ${dialect.record("Schema.String", "Schema.Unknown")}`, type: "{ readonly [key: string]: unknown }" }
    case "array": {
      const items = renderType(type.items, mode, ref, dialect)
      return { schema: `/*#__PURE__*/ Schema.Array(${items.schema})`, type: `ReadonlyArray<${items.type}>` }
    }
    case "map": {
      const values = renderType(type.values, mode, ref, dialect)
      return { schema: `/*#__PURE__*/ ${dialect.record("Schema.String", values.schema)}`, type: `{ readonly [key: string]: ${values.type} }` }
    }
    case "union": {
      const members = type.of.map((member) => renderType(member, mode, ref, dialect))
      return {
        schema: `/*#__PURE__*/ ${dialect.union(members.map((m) => m.schema))}`,
        type: members.map((m) => m.type).join(" | ")
      }
    }
    case "ref":
      return ref(type.model)
  }
}

const isRequired = (field: Field, mode: Mode) => mode === "request" && field.required === true

/** A struct of fields, as a Schema and as a TypeScript object type, one field per line. */
export const renderStruct = (
  fields: ReadonlyArray<Field>,
  mode: Mode,
  ref: ModelReference,
  indent: string,
  dialect: Dialect
): Rendered => {
  if (fields.length === 0) return { schema: "/*#__PURE__*/ Schema.Struct({})", type: "{}" }
  const inner = `${indent}  `
  const schemaLines: Array<string> = []
  const typeLines: Array<string> = []
  for (const field of fields) {
    const rendered = renderType(field.type, mode, ref, dialect)
    const key = propertyKey(field.name)
    if (isRequired(field, mode)) {
      schemaLines.push(`${inner}${key}: ${rendered.schema}`)
      typeLines.push(`${inner}readonly ${key}: ${rendered.type}`)
    } else {
      schemaLines.push(`${inner}${key}: /*#__PURE__*/ Schema.optional(${rendered.schema})`)
      typeLines.push(`${inner}readonly ${key}?: ${rendered.type} | undefined`)
    }
  }
  return {
    schema: `/*#__PURE__*/ Schema.Struct({\n${schemaLines.join(",\n")}\n${indent}})`,
    type: `{\n${typeLines.join("\n")}\n${indent}}`
  }
}

/** Every model a type mentions. */
export const referencedModels = (type: CatalogType, into: Set<string>): Set<string> => {
  switch (type.type) {
    case "array":
      return referencedModels(type.items, into)
    case "map":
      return referencedModels(type.values, into)
    case "union":
      type.of.forEach((member) => referencedModels(member, into))
      return into
    case "ref":
      return into.add(type.model)
    default:
      return into
  }
}

/** True when a type (not following references) holds a file. */
export const holdsFile = (type: CatalogType): boolean =>
  type.type === "file" ||
  (type.type === "array" && holdsFile(type.items)) ||
  (type.type === "map" && holdsFile(type.values)) ||
  (type.type === "union" && type.of.some(holdsFile))
