/**
 * The hand-written multipart/form-data encoder, checked byte for byte on a small form and against the
 * runtime's own parser (`Response.formData`) on awkward names, file types and every upload kind.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Body from "../../src/internal/body.js"

const encode = (data: unknown) =>
  Effect.map(Body.multipart(data), ({ body, contentType }) => {
    if (typeof body === "string") throw new Error("expected bytes, got a string")
    return { bytes: body, contentType }
  })

const parse = ({ bytes, contentType }: { readonly bytes: Uint8Array; readonly contentType: string }) =>
  Effect.promise(() => new Response(bytes as BodyInit, { headers: { "content-type": contentType } }).formData())

describe("multipart bodies", () => {
  it.effect("quoting is the runtime's own (FormData through Response)", () =>
    Effect.gen(function*() {
      const { bytes } = yield* encode({ "a \"b\"\r\n": new File([new Uint8Array([1])], "c \"d\".pdf") })
      const form = new FormData()
      form.append("a \"b\"\r\n", new File([new Uint8Array([1])], "c \"d\".pdf"))
      const theirs = yield* Effect.promise(() => new Response(form).text())
      const headerLine = (text: string) => text.split("\r\n").find((line) => line.startsWith("Content-Disposition"))
      assert.strictEqual(headerLine(new TextDecoder().decode(bytes)), headerLine(theirs))
    }))

  it.effect("a field and a file, byte for byte", () =>
    Effect.gen(function*() {
      const { bytes, contentType } = yield* encode({ image_type: "message", image: new Uint8Array([1, 2, 3]) })
      const boundary = /^multipart\/form-data; boundary=(lark-effect-[0-9a-f]{24})$/.exec(contentType)?.[1]
      assert.isDefined(boundary)
      const expected = `--${boundary}\r\nContent-Disposition: form-data; name="image_type"\r\n\r\nmessage\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="image"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n\u0001\u0002\u0003\r\n--${boundary}--\r\n`
      assert.strictEqual(new TextDecoder().decode(bytes), expected)
    }))

  it.effect("names, UTF-8 file names, types and every upload kind survive the runtime's parser", () =>
    Effect.gen(function*() {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([7, 8]))
          controller.enqueue(new Uint8Array([9]))
          controller.close()
        }
      })
      async function* chunks() {
        yield new Uint8Array([4])
        yield new Uint8Array([5, 6])
      }
      const form = yield* parse(yield* encode({
        file_name: "季度报告.pdf",
        "odd \"name\"\r\n": "x",
        duration: 12,
        extra: { a: 1 },
        skipped: undefined,
        file: new File([new Uint8Array([1, 2])], "季度 \"报告\".pdf", { type: "application/pdf" }),
        blob: new Blob([new Uint8Array([3])]),
        from_stream: stream,
        from_iterable: chunks()
      }))
      assert.strictEqual(form.get("file_name"), "季度报告.pdf")
      assert.strictEqual(form.get("duration"), "12")
      assert.strictEqual(form.get("extra"), "{\"a\":1}")
      assert.isFalse(form.has("skipped"))
      // quotes and line breaks in names are percent-encoded on the wire (the browser convention) and come back
      assert.strictEqual(form.get("odd \"name\"\r\n"), "x")
      const file = form.get("file") as File
      assert.strictEqual(file.name, "季度 \"报告\".pdf")
      assert.strictEqual(file.type, "application/pdf")
      assert.deepStrictEqual([...new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))], [1, 2])
      const bytesOf = (name: string) =>
        Effect.promise(async () => [...new Uint8Array(await (form.get(name) as File).arrayBuffer())])
      assert.deepStrictEqual(yield* bytesOf("blob"), [3])
      assert.deepStrictEqual(yield* bytesOf("from_stream"), [7, 8, 9])
      assert.deepStrictEqual(yield* bytesOf("from_iterable"), [4, 5, 6])
      assert.strictEqual((form.get("from_stream") as File).name, "from_stream")
    }))

  it.effect("a stream that fails is a readable error, not a defect", () =>
    Effect.gen(function*() {
      const broken = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("disk gone")) })
      const error = yield* Effect.flip(Body.multipart({ file: broken }))
      assert.include(error, "disk gone")
    }))
})
