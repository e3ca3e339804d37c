/**
 * `schemas/common.ts`: the schemas shared by every API (the response envelope, int64 ids, uploadable files,
 * pages), written by the generator like the rest of `schemas/` so that each edition gets it in its own Schema
 * spelling (`dialect.ts`) from this one text.
 */
import type { Dialect } from "./dialect.js"

/** The module's text, less the generator's header. */
export const emitCommon = (dialect: Dialect): string =>
  [
    `/**
 * Schemas shared by every API: the response envelope, int64 ids, uploadable files, pages.
 * Imports nothing from \`src/\`.
 */`,
    ...dialect.defaultImports,
    `import * as Schema from "effect/Schema"`,
    `
/** An int64 value: JSON carries it as a decimal string, and it stays a string (no precision loss). */
export const Int64String = /*#__PURE__*/ Schema.String.pipe(Schema.brand("Int64String"), ${dialect.annotate(`{ identifier: "Int64String" }`)})

/** The \`error\` object some failed answers carry next to \`code\` and \`msg\`. */
export const ErrorDetail = /*#__PURE__*/ Schema.Struct({
  log_id: Schema.optional(Schema.String),
  troubleshooter: Schema.optional(Schema.String),
  field_violations: Schema.optional(Schema.Array(Schema.Struct({
    field: Schema.optional(Schema.String),
    value: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String)
  }))),
  permission_violations: Schema.optional(Schema.Array(Schema.Struct({
    type: Schema.optional(Schema.String),
    subject: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String)
  })))
})

/** \`{code, msg, data, error}\`; \`code\` 0 is success. Only the frame is checked here: \`data\` is decoded per API. */
export const Envelope = /*#__PURE__*/ Schema.Struct({
  code: Schema.Number,
  msg: ${dialect.optionalWithDefault("Schema.String", `""`)},
  data: Schema.optional(Schema.Unknown),
  error: Schema.optional(ErrorDetail)
})
export type Envelope = typeof Envelope.Type

/** What an upload field takes: bytes, a \`Blob\` (or \`File\`), or a stream of bytes (web, Node, or any async iterable). */
export type Uploadable = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

export const isUploadable = (value: unknown): value is Uploadable =>
  value instanceof Uint8Array ||
  value instanceof Blob ||
  value instanceof ReadableStream ||
  (typeof value === "object" && value !== null && Symbol.asyncIterator in value)

export const UploadableFile: ${dialect.schemaOf("Uploadable")} = /*#__PURE__*/ Schema.declare(isUploadable, {
  identifier: "UploadableFile",
  description: "bytes, a Blob, or a stream of bytes"
})

/** The fields every \`page_token\` list answer has. */
export const PageFields = {
  has_more: Schema.optional(Schema.Boolean),
  page_token: Schema.optional(Schema.String),
  next_page_token: Schema.optional(Schema.String)
}
`
  ].join("\n")
