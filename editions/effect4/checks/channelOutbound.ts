/**
 * The channel's outbound side on Effect 4: a text and a card sent with `send`, a streamed reply into CardKit cards,
 * and media URLs refused by the SSRF guard (an internal address in the URL, and an allowed name that resolves to
 * one, refused as the socket connects). The platform is the test kit's `MockHttp`; the CardKit calls are served
 * by the fake chat APIs (`FakeChannelApis`' routes and state) through it. Prints one JSON line for
 * tests/effect4/edition.test.ts.
 */
import * as Effect from "effect/Effect"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { ChannelSendError } from "../src/channel/errors.js"
import * as MediaFetch from "../src/channel/mediaFetch.js"
import * as Outbound from "../src/channel/Outbound.js"
import { readUrl } from "../src/channel/readMedia.js"
import * as LarkConfig from "../src/LarkConfig.js"
import * as FakeChannelApis from "../src/testing/FakeChannelApis.js"
import type { RecordedCall } from "../src/testing/FakeOpenPlatform.js"
import { checkCard } from "../src/testing/messageContent.js"
import * as MockHttp from "../src/testing/MockHttp.js"

/** The `:name` segments of `pattern` in `path`. */
const paramsOf = (pattern: string, path: string): Record<string, string> => {
  const got = path.split("/")
  return Object.fromEntries(pattern.split("/").flatMap((segment, i) => (segment.startsWith(":") ? [[segment.slice(1), got[i]!]] : [])))
}

/** A fake's answer (a JSON `HttpServerResponse`) as `MockHttp` answers. */
const answerOf = (reply: HttpServerResponse.HttpServerResponse): MockHttp.Answer => {
  const body = reply.body
  const text = body._tag === "Uint8Array" ? new TextDecoder().decode(body.body) : "{}"
  return { status: reply.status, body: JSON.parse(text) }
}

const callOf = (request: MockHttp.RecordedRequest): RecordedCall => ({
  method: request.method,
  path: request.path,
  query: request.query,
  headers: request.headers,
  body: request.body._tag === "Json" ? request.body : { _tag: "None" }
})

/** The fake chat APIs' routes (CardKit, edits, reactions, ...) served by `MockHttp`, on `host`'s state. */
const fakeRoutes = (host: FakeChannelApis.Host): ReadonlyArray<MockHttp.Route> =>
  FakeChannelApis.routes.map((route) => {
    const [method, path] = route.route.split(" ") as [string, string]
    return MockHttp.route(method, path, (request) =>
      route.handle({ state: host, call: callOf(request), params: paramsOf(path, request.path) }, { appId: "cli_a" }).pipe(
        Effect.catch((reply) => Effect.succeed(reply)),
        Effect.map(answerOf)
      ))
  })

/** Message create and reply as the fake platform checks them: a card must pass the fake's card checks. */
const messageRoutes = (): ReadonlyArray<MockHttp.Route> => {
  let sent = 0
  const accept = (request: MockHttp.RecordedRequest) => {
    const data = (request.body._tag === "Json" ? request.body.value : {}) as { msg_type?: string; content?: string }
    const checked = data.msg_type === "interactive" ? checkCard(JSON.parse(data.content ?? "{}")) : Effect.void
    return checked.pipe(
      Effect.map(() => MockHttp.ok({ message_id: `om_${++sent}`, msg_type: data.msg_type })),
      Effect.catch((reply) => Effect.succeed(answerOf(reply)))
    )
  }
  return [
    MockHttp.route("POST", "/open-apis/im/v1/messages", accept),
    MockHttp.route("POST", "/open-apis/im/v1/messages/:message_id/reply", accept)
  ]
}

const card = {
  schema: "2.0",
  header: { title: { tag: "plain_text", content: "Build" } },
  body: { elements: [{ tag: "markdown", content: "**passed**" }] }
}

const question = { messageId: "om_question", chatId: "oc_team", threadId: undefined }

const program = Effect.gen(function*() {
  const state = yield* FakeChannelApis.makeState
  const host: FakeChannelApis.Host = { channel: state, blobs: yield* Ref.make<ReadonlyMap<string, FakeChannelApis.StoredFile>>(new Map()) }
  const platform = Layer.merge(
    MockHttp.layer([...messageRoutes(), ...fakeRoutes(host)]),
    LarkConfig.layer({ appId: "cli_a", appSecret: Redacted.make("secret") })
  )
  return yield* Effect.gen(function*() {
    const text = yield* Outbound.send("oc_team", { text: "hello" })
    const cardSent = yield* Outbound.send("ou_alice", { card })
    const refusedCard = yield* Outbound.send("oc_team", { card: { schema: "2.0", body: { elements: [{ tag: "action", actions: [] }] } } }).pipe(
      Effect.flip,
      Effect.map((error) => ({ tag: error._tag, code: error.code, larkCode: error.larkCode }))
    )
    const streamed = yield* Outbound.streamReply(question, Stream.make("Streaming ", "works ", "on ", "Effect 4."), { updatesPerSecond: 50 })
    const mock = yield* MockHttp.MockHttp
    const sentMessages = (yield* mock.requests)
      .filter((request) => request.path.startsWith("/open-apis/im/v1/messages"))
      .map((request) => {
        const data = (request.body._tag === "Json" ? request.body.value : {}) as { receive_id?: string; msg_type?: string; content?: string }
        return {
          path: request.path,
          receiveIdType: request.query["receive_id_type"]?.[0],
          receiveId: data.receive_id,
          msgType: data.msg_type,
          content: data.content === undefined ? undefined : JSON.parse(data.content)
        }
      })
    const [fakeCard] = yield* FakeChannelApis.service(state).cards
    return {
      text,
      card: cardSent,
      refusedCard,
      sentMessages,
      streamed,
      fakeCard: fakeCard === undefined ? undefined : { cardId: fakeCard.cardId, elements: fakeCard.elements, streaming: fakeCard.streaming }
    }
  }).pipe(Effect.provide(platform))
})

/** Where a refused media URL ends: its error's code and detail. */
const refused = (read: Effect.Effect<unknown, ChannelSendError>) =>
  read.pipe(
    Effect.flip,
    Effect.map((error) => ({ tag: error._tag, code: error.code, detail: error.detail }))
  )

/** Reads a media URL with host names resolved to `resolved`. */
const resolvedTo = (url: string, allowlist: ReadonlyArray<string>, resolved: ReadonlyArray<string>) =>
  readUrl(url, { mediaAllowlist: allowlist }).pipe(Effect.provide(MediaFetch.layerResolver(() => Promise.resolve(resolved))))

const ssrf = Effect.all({
  // refused before any request: an internal address in the URL
  internalUrl: refused(resolvedTo("http://127.0.0.1:8080/admin.png", ["example.com"], [])),
  // an allowed name resolving to an internal address, refused as the socket connects
  resolvesInternal: refused(resolvedTo("http://media.example.com/cat.png", ["media.example.com"], ["10.0.0.7"])),
  // the same through the default fetch (no layer) and the system resolver: localhost is loopback
  defaultFetch: refused(readUrl("http://localhost:9/cat.png", { mediaAllowlist: ["localhost"] }))
})

Effect.runPromise(Effect.all({ outbound: program, ssrf })).then((result) => console.log(JSON.stringify(result)))
