/**
 * The SSRF guard on host names: every address a media host's name resolves to is checked by the socket's own
 * lookup, so a name that resolves to an internal address is refused before anything connects, on every hop.
 * Names go through a test resolver; the only server is on 127.0.0.1 and counts its connections.
 */
import { createServer } from "node:http"
import type { LookupOptions } from "node:dns"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { layerTest } from "../../layers/testing.js"
import { ChannelSendError } from "../../src/channel/errors.js"
import * as MediaFetch from "../../src/channel/mediaFetch.js"
import { guardedLookup, type Resolver } from "../../src/channel/mediaLookup.js"
import * as Outbound from "../../src/channel/Outbound.js"
import { readUrl } from "../../src/channel/readMedia.js"
import { admitsAddress } from "../../src/channel/ssrf.js"
import { callback } from "../../src/internal/dialect.js"
import * as MockHttp from "../../src/testing/MockHttp.js"
import { scoped } from "../dialect.js"

const NAME = "media.example.test"
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 7])

/** A resolver that knows only {@link NAME}: its n-th question gets the n-th answer (the last one from then on). */
const resolverOf = (...answers: ReadonlyArray<ReadonlyArray<string>>) => {
  const asked: Array<string> = []
  const resolve: Resolver = (hostname) => {
    asked.push(hostname)
    if (hostname !== NAME) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${hostname}`))
    return Promise.resolve(answers[Math.min(asked.length, answers.length) - 1]!)
  }
  return { asked, resolve }
}

/** A media server on 127.0.0.1: `/cat.png` answers bytes, `/hop` redirects to it. */
const mediaServer = Effect.acquireRelease(
  callback<{ readonly port: number; readonly connections: () => number; readonly paths: Array<string>; close: () => void }>((resume) => {
    const paths: Array<string> = []
    let connections = 0
    const server = createServer((request, response) => {
      paths.push(request.url ?? "")
      if (request.url === "/hop") response.writeHead(302, { location: "/cat.png" }).end()
      else response.writeHead(200, { "content-type": "image/png" }).end(PNG)
    })
    server.on("connection", () => connections++)
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        port: (server.address() as AddressInfo).port,
        connections: () => connections,
        paths,
        close: () => {
          server.closeAllConnections()
          server.close()
        }
      })))
  }),
  (server) => Effect.sync(server.close)
)

const refusal = (error: unknown) => {
  assert.instanceOf(error, ChannelSendError)
  return error as ChannelSendError
}

describe("guardedLookup", () => {
  const lookup = (answer: ReadonlyArray<string>, allowlist: ReadonlyArray<string>, options: LookupOptions = { all: true }) =>
    callback<unknown, ChannelSendError>((resume) =>
      guardedLookup(resolverOf(answer).resolve, admitsAddress([NAME, ...allowlist]))(NAME, options, (error, address, family) =>
        resume(error === null ? Effect.succeed(family === undefined ? address : [address, family]) : Effect.fail(refusal(error)))))

  const internal: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["loopback", ["127.0.0.1"]],
    ["private", ["10.0.0.1"]],
    ["IPv6 loopback", ["::1"]],
    ["link-local", ["fe80::1"]],
    ["unique-local", ["fd00::1"]],
    ["cloud metadata", ["169.254.169.254"]],
    ["IPv4-mapped loopback", ["::ffff:127.0.0.1"]],
    ["NAT64 (64:ff9b::/96) embedding cloud metadata", ["64:ff9b::a9fe:a9fe"]],
    ["NAT64 embedding cloud metadata, written as a dotted quad", ["64:ff9b::169.254.169.254"]],
    ["local-use NAT64 (64:ff9b:1::/48)", ["64:ff9b:1::808:808"]],
    ["IPv4-compatible loopback (::/96)", ["::7f00:1"]],
    ["SIIT-translated cloud metadata (::ffff:0:0:0/96)", ["::ffff:0:a9fe:a9fe"]],
    ["site-local (fec0::/10)", ["fec0::1"]],
    ["6to4 (2002::/16) embedding a private address", ["2002:a00:1::1"]],
    ["Teredo (2001::/32), whose client address is obfuscated", ["2001:0:4136:e378:8000:63bf:f5ff:fffe"]],
    ["one public and one private address", ["203.0.113.10", "10.0.0.1"]]
  ]
  for (const [name, answer] of internal) {
    it.effect(`${name}: ssrf_blocked, naming the address`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(lookup(answer, []))
        assert.strictEqual(error.code, "ssrf_blocked")
        assert.include(error.detail, `${NAME} resolves to an internal address (${answer.at(-1)})`)
      }))
  }

  it.effect("public addresses are handed to the socket as resolved, in the family it asks for", () =>
    Effect.gen(function*() {
      const both = ["203.0.113.10", "2001:db8::10"]
      assert.deepStrictEqual(yield* lookup(both, []), [{ address: "203.0.113.10", family: 4 }, { address: "2001:db8::10", family: 6 }])
      assert.deepStrictEqual(yield* lookup(both, [], { family: 6 }), ["2001:db8::10", 6])
      const error = yield* Effect.flip(lookup(["203.0.113.10"], [], { family: 6 }))
      assert.deepStrictEqual([error.code, error.detail], ["download_failed", `${NAME} has no IPv6 address`])
    }))

  it.effect("public IPv6 addresses, and public IPv4 addresses inside NAT64, 6to4 or a mapping, are admitted", () =>
    Effect.gen(function*() {
      // 8.8.8.8 in each IPv4-carrying form: only the embedded address decides
      const publicV6 = ["2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "::ffff:0:808:808"]
      assert.deepStrictEqual(yield* lookup(publicV6, []), publicV6.map((address) => ({ address, family: 6 })))
    }))

  it.effect("an internal address the allowlist names exactly is admitted, in any spelling", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* lookup(["10.0.0.7"], ["10.0.0.7"], {}), ["10.0.0.7", 4])
      assert.deepStrictEqual(yield* lookup(["::1"], ["0:0:0:0:0:0:0:1"], {}), ["::1", 6])
      assert.strictEqual((yield* Effect.flip(lookup(["10.0.0.8"], ["10.0.0.7"]))).code, "ssrf_blocked")
      // a wildcard entry names hosts, never addresses
      assert.strictEqual((yield* Effect.flip(lookup(["10.0.0.7"], ["*.0.0.7"]))).code, "ssrf_blocked")
    }))
})

describe("media URLs by host name (a socket on 127.0.0.1)", () => {
  const fetchWith = (resolve: Resolver, url: string, mediaAllowlist: ReadonlyArray<string>) =>
    readUrl(url, { mediaAllowlist }).pipe(Effect.provide(MediaFetch.layerResolver(resolve)))

  scoped("a name resolving to 127.0.0.1 is refused before any connection, over http and https", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const resolver = resolverOf(["127.0.0.1"])
      for (const scheme of ["http", "https"]) {
        const error = refusal(yield* Effect.flip(fetchWith(resolver.resolve, `${scheme}://${NAME}:${server.port}/cat.png`, [NAME])))
        assert.deepStrictEqual([error.code, error.detail], ["ssrf_blocked", `${NAME} resolves to an internal address (127.0.0.1)`])
      }
      assert.deepStrictEqual(resolver.asked, [NAME, NAME])
      assert.strictEqual(server.connections(), 0)
    }))

  scoped("with 127.0.0.1 named in the allowlist, the same name is fetched through the guarded lookup", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const resolver = resolverOf(["127.0.0.1"])
      const media = yield* fetchWith(resolver.resolve, `http://${NAME}:${server.port}/cat.png`, [NAME, "127.0.0.1"])
      assert.deepStrictEqual([media.bytes, media.fileName], [PNG, "cat.png"])
      assert.deepStrictEqual(resolver.asked, [NAME])
      assert.strictEqual(server.connections(), 1)
    }))

  scoped("a name with one admitted and one internal address is refused as a whole", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const error = yield* Effect.flip(fetchWith(resolverOf(["127.0.0.1", "::1"]).resolve, `http://${NAME}:${server.port}/cat.png`, [NAME, "127.0.0.1"]))
      assert.deepStrictEqual([error.code, error.detail], ["ssrf_blocked", `${NAME} resolves to an internal address (::1)`])
      assert.strictEqual(server.connections(), 0)
    }))

  scoped("each redirect hop resolves again and is checked again: a name rebound to ::1 is refused", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const resolver = resolverOf(["127.0.0.1"], ["::1"])
      const error = yield* Effect.flip(fetchWith(resolver.resolve, `http://${NAME}:${server.port}/hop`, [NAME, "127.0.0.1"]))
      assert.strictEqual(error.code, "ssrf_blocked")
      assert.deepStrictEqual(resolver.asked, [NAME, NAME])
      assert.deepStrictEqual(server.paths, ["/hop"])
    }))

  scoped("a literal IP keeps its rule: the allowlisted 127.0.0.1 is fetched, with no lookup", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const resolver = resolverOf(["10.0.0.1"])
      const media = yield* fetchWith(resolver.resolve, `http://127.0.0.1:${server.port}/hop`, ["127.0.0.1"])
      assert.deepStrictEqual(media.bytes, PNG)
      assert.deepStrictEqual([resolver.asked, server.paths], [[], ["/hop", "/cat.png"]])
    }))

  it.effect("a name that does not resolve is download_failed, saying so", () =>
    Effect.gen(function*() {
      const error = refusal(yield* Effect.flip(fetchWith(resolverOf([]).resolve, "http://missing.example.test/cat.png", ["missing.example.test"])))
      assert.deepStrictEqual([error.code, error.detail], ["download_failed", "missing.example.test could not be resolved: getaddrinfo ENOTFOUND missing.example.test"])
    }))

  scoped("Outbound.send fetches media through the guard by default", () =>
    Effect.gen(function*() {
      const server = yield* mediaServer
      const url = `http://${NAME}:${server.port}/cat.png`
      const app = Layer.merge(
        layerTest([
          MockHttp.route("POST", "/open-apis/im/v1/images", () => MockHttp.ok({ image_key: "img_v3_up" })),
          MockHttp.route("POST", "/open-apis/im/v1/messages", () => MockHttp.ok({ message_id: "om_1" }))
        ]),
        MediaFetch.layerResolver(resolverOf(["127.0.0.1"]).resolve)
      )
      const refused = refusal(yield* Effect.flip(Outbound.send("oc_1", { image: url }, { mediaAllowlist: [NAME] }).pipe(Effect.provide(app))))
      assert.strictEqual(refused.code, "ssrf_blocked")
      assert.strictEqual(server.connections(), 0)
      yield* Outbound.send("oc_1", { image: url }, { mediaAllowlist: [NAME, "127.0.0.1"] }).pipe(Effect.provide(app))
      assert.deepStrictEqual(server.paths, ["/cat.png"])
    }))
})
