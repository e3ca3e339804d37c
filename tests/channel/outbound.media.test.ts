/**
 * Outbound media on the wire (MockHttp): uploads from bytes, a stream, a Blob, a local path and an
 * allowlisted URL; keys used as they are; the SSRF guard refusing before any request; redirects to
 * other hosts refused; the size limit; local paths confined to `allowedFileDirs` (symlinks, `..`).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { layerTest } from "../../layers/testing.js"
import * as MediaFetch from "../../src/channel/mediaFetch.js"
import * as Outbound from "../../src/channel/Outbound.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { fork } from "../dialect.js"

const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3])

const routes = [
  MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({ message_id: "om_1" })),
  MockHttp.route("POST", "/open-apis/im/v1/images", () => MockHttp.ok({ image_key: "img_v3_up" })),
  MockHttp.route("POST", "/open-apis/im/v1/files", () => MockHttp.ok({ file_key: "file_v3_up" })),
  MockHttp.route("GET", "/media/cat.png", () => ({ body: PNG, headers: { "content-type": "image/png" } })),
  MockHttp.route("GET", "/media/same-host", () => ({ status: 302, headers: { location: "/media/cat.png" } })),
  MockHttp.route("GET", "/media/elsewhere", () => ({ status: 302, headers: { location: "https://evil.example.net/media/cat.png" } })),
  MockHttp.route("GET", "/media/big", () => ({ body: new Uint8Array(64) }))
]

const requests = Effect.flatMap(MockHttp.MockHttp, (mock) => mock.requests)
/** Requests other than the token fetch. */
const apiRequests = Effect.map(requests, (all) => all.filter((r) => !r.path.includes("/auth/v3/")))

const uploaded = (request: MockHttp.RecordedRequest) => {
  assert.strictEqual(request.body._tag, "Multipart")
  return request.body as Extract<MockHttp.RecordedBody, { _tag: "Multipart" }>
}

const sentContent = (request: MockHttp.RecordedRequest) =>
  JSON.parse((request.body as { value: { content: string } }).value.content) as unknown

const allow = { mediaAllowlist: ["cdn.example.com"] }

/** Media hosts answered by MockHttp too: the URL and redirect rules, without connect-time address checks. */
const mediaOnMock = (routes: ReadonlyArray<MockHttp.Route>) => Layer.provideMerge(MediaFetch.layerHttpClient, layerTest(routes))

describe("uploads", () => {
  it.effect("an image from bytes is uploaded as a message image, then sent by its key", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_1", { image: PNG })
      const [upload, message] = yield* apiRequests
      assert.strictEqual(upload!.path, "/open-apis/im/v1/images")
      const body = uploaded(upload!)
      assert.strictEqual(body.fields["image_type"], "message")
      assert.deepStrictEqual(body.files["image"]!.bytes, PNG)
      assert.deepStrictEqual(sentContent(message!), { image_key: "img_v3_up" })
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a file from a byte stream keeps its name and gets its type from the extension", () =>
    Effect.gen(function*() {
      const stream = Stream.make(new Uint8Array([1, 2]), new Uint8Array([3]))
      yield* Outbound.send("oc_1", { file: stream, fileName: "report.pdf" })
      const [upload, message] = yield* apiRequests
      const body = uploaded(upload!)
      assert.deepStrictEqual(body.fields, { file_type: "pdf", file_name: "report.pdf" })
      assert.deepStrictEqual([body.files["file"]!.fileName, [...body.files["file"]!.bytes]], ["report.pdf", [1, 2, 3]])
      assert.deepStrictEqual(sentContent(message!), { file_key: "file_v3_up" })
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("audio goes up as opus with its duration, video as mp4 with its cover uploaded as an image", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_1", { audio: new Blob([PNG]), durationMs: 1500 })
      yield* Outbound.send("oc_1", { video: PNG, fileName: "clip.mp4", cover: new File([PNG], "cover.png") })
      const all = yield* apiRequests
      assert.deepStrictEqual(uploaded(all[0]!).fields, { file_type: "opus", file_name: "audio", duration: "1500" })
      assert.deepStrictEqual(sentContent(all[1]!), { file_key: "file_v3_up" })
      assert.strictEqual((all[1]!.body as { value: { msg_type: string } }).value.msg_type, "audio")
      const paths = all.slice(2).map((r) => r.path).sort()
      assert.deepStrictEqual(paths, ["/open-apis/im/v1/files", "/open-apis/im/v1/images", "/open-apis/im/v1/messages"])
      const video = all.slice(2).find((r) => r.path === "/open-apis/im/v1/files")!
      assert.strictEqual(uploaded(video).fields["file_type"], "mp4")
      const cover = all.slice(2).find((r) => r.path === "/open-apis/im/v1/images")!
      assert.strictEqual(uploaded(cover).files["image"]!.fileName, "cover.png")
      assert.deepStrictEqual(sentContent(all[4]!), { file_key: "file_v3_up", image_key: "img_v3_up" })
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("an existing key is sent as it is: no upload", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_1", { image: "img_v3_existing" })
      const all = yield* apiRequests
      assert.deepStrictEqual(all.map((r) => r.path), ["/open-apis/im/v1/messages"])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a local path is read through the FileSystem service", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "lark-outbound-"))
      const path = join(dir, "notes.txt")
      writeFileSync(path, "hello")
      yield* Outbound.send("oc_1", { file: path })
      const [upload] = yield* apiRequests
      const body = uploaded(upload!)
      assert.deepStrictEqual(body.fields, { file_type: "stream", file_name: "notes.txt" })
      assert.strictEqual(new TextDecoder().decode(body.files["file"]!.bytes), "hello")
    }).pipe(Effect.provide(layerTest(routes)), Effect.provide(NodeFileSystem.layer)))

  it.effect("a local path without a FileSystem service is a format_error, nothing sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_1", { file: "/tmp/notes.txt" }))
      assert.strictEqual(error.code, "format_error")
      assert.strictEqual((yield* apiRequests).length, 0)
    }).pipe(Effect.provide(layerTest(routes))))

  describe("allowedFileDirs", () => {
    /** tmp/allowed/notes.txt, tmp/allowed-evil/x.txt, tmp/outside/secret.txt, and symlinks to them. */
    const tree = () => {
      const root = mkdtempSync(join(tmpdir(), "lark-dirs-"))
      for (const dir of ["allowed", "allowed-evil", "outside"]) mkdirSync(join(root, dir))
      writeFileSync(join(root, "allowed", "notes.txt"), "fine")
      writeFileSync(join(root, "allowed-evil", "x.txt"), "prefix trick")
      writeFileSync(join(root, "outside", "secret.txt"), "secret")
      symlinkSync(join(root, "outside", "secret.txt"), join(root, "allowed", "escape.txt"))
      symlinkSync(join(root, "allowed", "notes.txt"), join(root, "outside", "into-allowed.txt"))
      symlinkSync(join(root, "allowed"), join(root, "allowed-link"))
      return root
    }
    const sendFile = (path: string, allowedFileDirs: ReadonlyArray<string>) =>
      Outbound.send("oc_1", { file: path }, { allowedFileDirs })

    it.effect("a file in an allowed directory (or a symlink resolving into one) is read and uploaded", () =>
      Effect.gen(function*() {
        const root = tree()
        const allowed = [join(root, "allowed")]
        yield* sendFile(join(root, "allowed", "notes.txt"), allowed)
        yield* sendFile(join(root, "outside", "into-allowed.txt"), allowed)
        // the allowed directory given through a symlink is compared by its real path too
        yield* sendFile(join(root, "allowed", "notes.txt"), [join(root, "allowed-link")])
        const uploads = (yield* apiRequests).filter((r) => r.path === "/open-apis/im/v1/files")
        assert.deepStrictEqual(uploads.map((u) => new TextDecoder().decode(uploaded(u).files["file"]!.bytes)), ["fine", "fine", "fine"])
      }).pipe(Effect.provide(layerTest(routes)), Effect.provide(NodeFileSystem.layer)))

    it.effect("a symlink out, a ../ escape, a sibling sharing the prefix and an empty list are path_not_allowed, nothing read or sent", () =>
      Effect.gen(function*() {
        const root = tree()
        const allowed = [join(root, "allowed")]
        const refused = [
          [join(root, "allowed", "escape.txt"), allowed],
          [`${join(root, "allowed")}/../outside/secret.txt`, allowed],
          [join(root, "allowed-evil", "x.txt"), allowed],
          [join(root, "allowed", "notes.txt"), []]
        ] as const
        for (const [path, dirs] of refused) {
          const error = yield* Effect.flip(sendFile(path, dirs))
          assert.strictEqual(error.code, "path_not_allowed", path)
        }
        const missing = yield* Effect.flip(sendFile(join(root, "allowed", "missing.txt"), allowed))
        assert.strictEqual(missing.code, "upload_failed")
        assert.strictEqual((yield* apiRequests).length, 0)
      }).pipe(Effect.provide(layerTest(routes)), Effect.provide(NodeFileSystem.layer)))
  })

  it.effect("a stream over the size limit fails as upload_failed before any upload", () =>
    Effect.gen(function*() {
      const endless = Stream.forever(Stream.succeed(new Uint8Array(1024)))
      const error = yield* Effect.flip(Outbound.send("oc_1", { file: endless, fileName: "x.bin" }, { maxMediaBytes: 10_000 }))
      assert.strictEqual(error.code, "upload_failed")
      assert.strictEqual((yield* apiRequests).length, 0)
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("media the platform refuses is refused before any upload: an empty image or file, an image over 10 MiB, bytes over maxMediaBytes", () =>
    Effect.gen(function*() {
      const refusals = [
        Outbound.send("oc_1", { image: new Uint8Array(0) }),
        Outbound.send("oc_1", { file: new Uint8Array(0), fileName: "empty.txt" }),
        // a stream is read only up to the image limit
        Outbound.send("oc_1", { image: Stream.forever(Stream.succeed(new Uint8Array(1024 * 1024))) }),
        Outbound.send("oc_1", { image: new Uint8Array(10 * 1024 * 1024 + 1) }),
        Outbound.send("oc_1", { file: new Uint8Array(2_000), fileName: "x.bin" }, { maxMediaBytes: 1_000 })
      ]
      for (const refusal of refusals) {
        const error = yield* Effect.flip(refusal)
        assert.strictEqual(error.code, "upload_failed")
      }
      assert.strictEqual((yield* apiRequests).length, 0)
      // at the limit is still sent
      yield* Outbound.send("oc_1", { image: new Uint8Array(10 * 1024 * 1024).fill(1) })
      assert.deepStrictEqual((yield* apiRequests).map((r) => r.path), ["/open-apis/im/v1/images", "/open-apis/im/v1/messages"])
    }).pipe(Effect.provide(layerTest(routes))))

  it.effect("a refused upload is upload_failed with the platform's code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_1", { image: PNG }))
      assert.deepStrictEqual([error.code, error.larkCode], ["upload_failed", 234001])
    }).pipe(Effect.provide(layerTest([MockHttp.route("POST", "/open-apis/im/v1/images", () => MockHttp.fail(234001, "Invalid request param."))]))))
})

describe("media URLs (SSRF guard)", () => {
  const refused: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
    ["no allowlist", "https://cdn.example.com/media/cat.png", []],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data", ["cdn.example.com"]],
    ["loopback", "http://127.0.0.1/media/cat.png", ["*.example.com"]],
    ["a host not listed", "https://other.example.org/media/cat.png", ["cdn.example.com"]],
    ["a non-http scheme", "file:///etc/passwd", ["cdn.example.com"]]
  ]
  for (const [name, url, mediaAllowlist] of refused) {
    it.effect(`${name}: ssrf_blocked, and no request at all`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Outbound.send("oc_1", { image: url }, { mediaAllowlist }))
        assert.strictEqual(error.code, "ssrf_blocked")
        assert.strictEqual((yield* requests).length, 0)
      }).pipe(Effect.provide(mediaOnMock(routes))))
  }

  it.effect("an allowlisted URL is fetched and its bytes uploaded", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_1", { image: "https://cdn.example.com/media/cat.png" }, allow)
      const [fetch, upload, message] = yield* apiRequests
      assert.deepStrictEqual([fetch!.method, fetch!.url.href], ["GET", "https://cdn.example.com/media/cat.png"])
      assert.strictEqual(fetch!.headers["authorization"], undefined, "no token goes to a media host")
      assert.deepStrictEqual(uploaded(upload!).files["image"]!.bytes, PNG)
      assert.deepStrictEqual(uploaded(upload!).files["image"]!.fileName, "cat.png")
      assert.deepStrictEqual(sentContent(message!), { image_key: "img_v3_up" })
    }).pipe(Effect.provide(mediaOnMock(routes))))

  it.effect("a redirect on the same host is followed", () =>
    Effect.gen(function*() {
      yield* Outbound.send("oc_1", { image: "https://cdn.example.com/media/same-host" }, allow)
      const all = yield* apiRequests
      assert.deepStrictEqual(all.map((r) => r.path), ["/media/same-host", "/media/cat.png", "/open-apis/im/v1/images", "/open-apis/im/v1/messages"])
    }).pipe(Effect.provide(mediaOnMock(routes))))

  it.effect("a redirect to another host is refused: ssrf_blocked, the target never requested", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_1", { image: "https://cdn.example.com/media/elsewhere" }, allow))
      assert.strictEqual(error.code, "ssrf_blocked")
      assert.deepStrictEqual((yield* apiRequests).map((r) => r.path), ["/media/elsewhere"])
    }).pipe(Effect.provide(mediaOnMock(routes))))

  it.effect("a media host that never answers fails as download_failed after mediaTimeout", () =>
    Effect.gen(function*() {
      const fiber = yield* fork(Effect.flip(Outbound.send("oc_1", { image: "https://cdn.example.com/media/hang" }, allow)))
      yield* TestClock.adjust("31 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.code, "download_failed")
      assert.deepStrictEqual((yield* apiRequests).map((r) => r.path), ["/media/hang"])
    }).pipe(Effect.provide(mediaOnMock([...routes, MockHttp.route("GET", "/media/hang", () => Effect.never)]))))

  it.effect("a body over the size limit fails as download_failed, nothing uploaded", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Outbound.send("oc_1", { image: "https://cdn.example.com/media/big" }, { ...allow, maxMediaBytes: 32 }))
      assert.strictEqual(error.code, "download_failed")
      assert.deepStrictEqual((yield* apiRequests).map((r) => r.path), ["/media/big"])
    }).pipe(Effect.provide(mediaOnMock(routes))))
})
