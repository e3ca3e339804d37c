/**
 * Request bodies: JSON, or multipart/form-data for uploads.
 */
import * as Effect from "effect/Effect"
import { isUploadable, type Uploadable } from "../../schemas/common.js"
import { concatBytes } from "./bytes.js"
import { fail, type Outcome, succeed } from "./dialect.js"

/** Reads a stream to its end: a multipart body is sent from memory (use the chunked upload APIs for huge files). */
const collect = (stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) =>
  Effect.tryPromise({
    try: async () => {
      const chunks: Array<Uint8Array> = []
      const iterable = stream instanceof ReadableStream ? readableToIterable(stream) : stream
      for await (const chunk of iterable) chunks.push(chunk)
      return concatBytes(chunks)
    },
    catch: (cause) => `could not read the upload stream: ${cause instanceof Error ? cause.message : String(cause)}`
  })

async function* readableToIterable(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader()
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

/** A body ready to send, with its `content-type`. */
export interface Encoded {
  readonly body: string | Uint8Array
  readonly contentType: string
}

interface FilePart {
  readonly bytes: Uint8Array
  readonly fileName: string
  readonly contentType: string
}

const toFilePart = (name: string, value: Uploadable): Effect.Effect<FilePart, string> => {
  if (value instanceof Uint8Array) return Effect.succeed({ bytes: value, fileName: name, contentType: "" })
  if (value instanceof Blob) {
    return Effect.tryPromise({
      try: () => value.arrayBuffer(),
      catch: (cause) => `could not read the upload: ${cause instanceof Error ? cause.message : String(cause)}`
    }).pipe(Effect.map((buffer) => ({
      bytes: new Uint8Array(buffer),
      fileName: value instanceof File ? value.name : name,
      contentType: value.type
    })))
  }
  return Effect.map(collect(value), (bytes) => ({ bytes, fileName: name, contentType: "" }))
}

/** What `JSON.stringify` of `value` throws (a `bigint`, a cycle), as the reason a body cannot be sent. */
const notJson = (cause: unknown) => `the body is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`

const fieldText = (value: unknown): Effect.Effect<string, string> =>
  typeof value === "object" ? Effect.try({ try: () => JSON.stringify(value), catch: notJson }) : Effect.succeed(String(value))

/** Quotes a name or file name in a part header the way browsers do (WHATWG multipart/form-data encoding). */
const quoted = (value: string) => `"${value.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22")}"`

const utf8 = new TextEncoder()

const randomBoundary = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `lark-effect-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`
}

/**
 * Builds the multipart body from the payload's `data`: file values become file parts (named after the `File`,
 * else after the field), everything else a text field. `undefined` fields are left out.
 *
 * The form is encoded to bytes here rather than through `FormData` and `Response`: on Node those load the
 * runtime's internal undici (about 13 MiB) on first use, and Node 20's global `FormData` is not accepted by
 * the undici package used for sending.
 */
export const multipart = (data: unknown): Effect.Effect<Encoded, string> =>
  Effect.gen(function*() {
    const boundary = randomBoundary()
    const chunks: Array<Uint8Array> = []
    const fields = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined || value === null) continue
      if (isUploadable(value)) {
        const file = yield* toFilePart(name, value)
        chunks.push(utf8.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}; filename=${quoted(file.fileName)}\r\n` +
            `Content-Type: ${file.contentType || "application/octet-stream"}\r\n\r\n`
        ), file.bytes, utf8.encode("\r\n"))
      } else {
        const text = yield* fieldText(value)
        chunks.push(utf8.encode(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${text}\r\n`))
      }
    }
    chunks.push(utf8.encode(`--${boundary}--\r\n`))
    return { body: concatBytes(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
  })

const jsonContentType = "application/json; charset=utf-8"

export const json = (data: unknown): Encoded => ({ body: JSON.stringify(data ?? {}), contentType: jsonContentType })

/** {@link json}, with what `JSON.stringify` refuses (a `bigint`, a cycle) as the failure. */
export const jsonOf = (data: unknown): Outcome<Encoded, string> => {
  try {
    return succeed(json(data))
  } catch (cause) {
    return fail(notJson(cause))
  }
}
