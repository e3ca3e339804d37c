/**
 * Request bodies: JSON, or multipart/form-data for uploads.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Effect from "effect/Effect"
import { isUploadable, type Uploadable } from "../../schemas/common.js"

/** Reads a stream to its end. FormData holds its parts in memory anyway (use chunked upload APIs for huge files). */
const collect = (stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) =>
  Effect.tryPromise({
    try: async () => {
      const chunks: Array<Uint8Array> = []
      const iterable = stream instanceof ReadableStream ? readableToIterable(stream) : stream
      for await (const chunk of iterable) chunks.push(chunk)
      return new Blob(chunks as Array<BlobPart>)
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

const toBlob = (value: Uploadable): Effect.Effect<Blob, string> =>
  value instanceof Blob
    ? Effect.succeed(value)
    : value instanceof Uint8Array
    ? Effect.succeed(new Blob([value as BlobPart]))
    : collect(value)

const fieldText = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)

/**
 * Builds the multipart body from the payload's `data`: file values become file parts (named after the `File`,
 * else after the field), everything else a text field. `undefined` fields are left out.
 *
 * The form is encoded to bytes here (by the runtime's own `Response`), not handed to the HTTP client as a
 * `FormData`: on Node 20 the global `FormData` comes from Node's bundled undici, which the undici package
 * used for sending does not accept ("action is not a function").
 */
export const multipart = (data: unknown): Effect.Effect<HttpBody.HttpBody, string> =>
  Effect.gen(function*() {
    const form = new FormData()
    const fields = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined || value === null) continue
      if (isUploadable(value)) {
        const blob = yield* toBlob(value)
        form.append(name, blob, blob instanceof File ? blob.name : name)
      } else {
        form.append(name, fieldText(value))
      }
    }
    return yield* encodeForm(form)
  })

const encodeForm = (form: FormData): Effect.Effect<HttpBody.HttpBody, string> =>
  Effect.tryPromise({
    try: async () => {
      const encoded = new Response(form)
      const contentType = encoded.headers.get("content-type") ?? "multipart/form-data"
      return HttpBody.uint8Array(new Uint8Array(await encoded.arrayBuffer()), contentType)
    },
    catch: (cause) => `could not encode the multipart body: ${cause instanceof Error ? cause.message : String(cause)}`
  })

const jsonContentType = "application/json; charset=utf-8"

export const json = (data: unknown): HttpBody.HttpBody =>
  HttpBody.text(JSON.stringify(data ?? {}), jsonContentType)
