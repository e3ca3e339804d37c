/**
 * Schemas shared by every API: the response envelope, int64 ids, uploadable files, pages.
 * Imports nothing from `src/`.
 *
 * The Effect 4 form of `schemas/common.ts` (hand-written there too, not generated): the same names, put in its
 * place by `scripts/edition.ts` (docs/effect4.md). It differs only where Effect 4's Schema is spelled otherwise:
 * `annotate` for `annotations`, `withConstructorDefault` and `withDecodingDefault` for `optionalWith`'s default,
 * and a schema of `A` typed `Codec<A>`. A change to one file is made to the other.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
/** An int64 value: JSON carries it as a decimal string, and it stays a string (no precision loss). */
export const Int64String = /*#__PURE__*/ Schema.String.pipe(Schema.brand("Int64String"), Schema.annotate({ identifier: "Int64String" }))

/** The `error` object some failed answers carry next to `code` and `msg`. */
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

/** `{code, msg, data, error}`; `code` 0 is success. Only the frame is checked here: `data` is decoded per API. */
export const Envelope = /*#__PURE__*/ Schema.Struct({
  code: Schema.Number,
  msg: Schema.String.pipe(Schema.withConstructorDefault(Effect.succeed("")), Schema.withDecodingDefault(Effect.succeed(""))),
  data: Schema.optional(Schema.Unknown),
  error: Schema.optional(ErrorDetail)
})
export type Envelope = typeof Envelope.Type

/** What an upload field takes: bytes, a `Blob` (or `File`), or a stream of bytes (web, Node, or any async iterable). */
export type Uploadable = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

export const isUploadable = (value: unknown): value is Uploadable =>
  value instanceof Uint8Array ||
  value instanceof Blob ||
  value instanceof ReadableStream ||
  (typeof value === "object" && value !== null && Symbol.asyncIterator in value)

export const UploadableFile: Schema.Codec<Uploadable> = /*#__PURE__*/ Schema.declare(isUploadable, {
  identifier: "UploadableFile",
  description: "bytes, a Blob, or a stream of bytes"
})

/** The fields every `page_token` list answer has. */
export const PageFields = {
  has_more: Schema.optional(Schema.Boolean),
  page_token: Schema.optional(Schema.String),
  next_page_token: Schema.optional(Schema.String)
}
