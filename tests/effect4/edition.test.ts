/**
 * The Effect 4 edition (docs/effect4.md): built from `src/` with the Effect 4 dialect, type-checked against
 * effect 4 (installed in `editions/effect4`), and its checks run on effect 4 in a child `node` process (Node
 * 22.19 or later, as `@effect/platform-node` 4 needs: `node22()`); then packed, installed into a fresh Effect 4
 * project, and the README's quick start run there.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repository } from "../../scripts/distBuild.js"
import { build, compiled, edition, node22, rewriteSpecifiers } from "../../scripts/edition.js"
import { packEdition } from "../../scripts/editionPackage.js"
import { exportedSpecifiers, importAll, untyped } from "../exportsCheck.js"
import { expectedMessage, installedMajors, installedVersions, installInto, runQuickStart } from "../installQuickStart.js"

const run = promisify(execFile)

/** The names a module exports (declarations and `export { ... }` lists). */
const exportedNames = (path: string): Array<string> => {
  const text = readFileSync(path, "utf8")
  const declared = [...text.matchAll(/^export (?:const|type|class|function|interface) (\w+)/gm)].map((match) => match[1]!)
  const listed = [...text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((match) =>
    match[1]!.split(",").map((name) => name.trim().replace(/^type /, "")).filter((name) => name !== ""))
  return [...declared, ...listed].sort()
}

/** Runs a compiled check of the edition and returns the JSON line it prints. */
const check = async (name: string): Promise<any> => {
  const { stdout } = await run(node22(), [join(compiled, "checks", `${name}.js`)], { timeout: 20_000 })
  return JSON.parse(stdout)
}

// npm ci of editions/effect4 on a clean clone (~15 s) plus one tsc run of the checks and what they import; for
// every describe below, even when a filter runs only one
beforeAll(() => build({ install: true }), 5 * 60_000)

describe("the Effect 4 edition", () => {
  it("has the same dialect names on both majors", () => {
    const effect3 = exportedNames(join(repository, "src", "internal", "dialect.ts"))
    expect(effect3.length).toBeGreaterThan(30)
    expect(exportedNames(join(edition, "dialect.ts"))).toEqual(effect3)
    // the suite's own (tests/dialect.ts), put in its place when the suite runs on Effect 4
    const tests3 = exportedNames(join(repository, "tests", "dialect.ts"))
    expect(tests3.length).toBeGreaterThan(0)
    expect(exportedNames(join(edition, "testDialect.ts"))).toEqual(tests3)
  })

  it("rewrites only the import specifiers in its table", () => {
    const table = { "@effect/platform/HttpClient": "effect/http/HttpClient" }
    const source = [
      `import * as HttpClient from "@effect/platform/HttpClient"`,
      `import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"`,
      `export type { HttpClient } from '@effect/platform/HttpClient'`,
      `const lazy = import("@effect/platform/HttpClient")`,
      `const text = "@effect/platform/HttpClient"`
    ].join("\n")
    expect(rewriteSpecifiers(source, table).split("\n")).toEqual([
      `import * as HttpClient from "effect/http/HttpClient"`,
      `import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"`,
      `export type { HttpClient } from 'effect/http/HttpClient'`,
      `const lazy = import("effect/http/HttpClient")`,
      `const text = "@effect/platform/HttpClient"`
    ])
  })

  it("runs LarkConfig and single-flight on Effect 4", async () => {
    const result = await check("config")
    expect(result.made).toMatchObject({ appId: "cli_a", domain: "https://open.larksuite.com" })
    expect(result.emptyAppId).toEqual({
      tag: "LarkConfigError",
      variable: "appId",
      detail: "must not be empty",
      message: "invalid configuration appId: must not be empty"
    })
    expect(result.badDomain).toMatchObject({ tag: "LarkConfigError", variable: "domain", detail: expect.stringContaining("http(s) base URL") })
    expect(result.environment).toEqual({ ok: { appId: "cli_env", appType: "marketplace", domain: "https://open.feishu.cn" } })
    expect(result.missingAppId).toEqual({ error: "invalid configuration LARK_APP_ID: is not set" })
    expect(result.badAppType).toEqual({
      error: `invalid configuration LARK_APP_TYPE: expected "self_built" or "marketplace", got "other"`
    })
    // three concurrent callers, one run; a later call runs again
    expect(result.singleFlight).toEqual({ answers: [1, 1, 1], runs: 2, again: 2 })
  })

  it("sends im.v1.message.create on Effect 4, with a tenant token fetched once, and decodes the answer", async () => {
    const result = await check("call")
    const answer = { message_id: "om_1", chat_id: "oc_1", msg_type: "text", body: { content: `{"text":"hello"}` }, extra_field: "kept" }
    expect(result.first).toEqual(answer) // decoded, unknown fields kept
    expect(result.second).toEqual(answer)
    const message = {
      method: "POST",
      path: "/open-apis/im/v1/messages",
      query: { receive_id_type: ["chat_id"] },
      authorization: "Bearer t-mock-1",
      contentType: "application/json; charset=utf-8",
      body: { _tag: "Json", value: { receive_id: "oc_1", msg_type: "text", content: `{"text":"hello"}` } }
    }
    // one token fetch, then both calls with the cached token
    expect(result.requests).toEqual([
      {
        method: "POST",
        path: "/open-apis/auth/v3/tenant_access_token/internal",
        query: {},
        contentType: "application/json; charset=utf-8",
        body: { _tag: "Json", value: { app_id: "cli_a", app_secret: "secret" } }
      },
      message,
      message
    ])
    expect(result.refused).toEqual({
      tag: "LarkApiError",
      code: 230001,
      message: "im.v1.message.create failed with code 230001: bad receive_id"
    })
    expect(result.undecodable).toMatchObject({ tag: "LarkDecodeError", message: expect.stringContaining(`["message_id"]`) })
  })
})

describe("ws on Effect 4", () => {
  it("receives events over the long connection from the fake platform, acks them, and reconnects after a drop", async () => {
    const result = await check("ws")
    // a whole event, a message in three parts sent out of order, and one on the socket after the reconnect
    expect(result.handled).toEqual(["evt_1", "evt_split", "evt_after"])
    expect(result.acks.map(({ bizRt: _, ...ack }: { bizRt: unknown }) => ack)).toEqual(
      ["first", "split", "after"].map((message) => ({ message, type: "event", code: 200 }))
    )
    // biz_rt: the handler's milliseconds; the split message's handler slept 50 ms (its handling went async)
    expect(result.acks.map((ack: { bizRt: unknown }) => typeof ack.bizRt)).toEqual(["number", "number", "number"])
    expect(result.acks[1].bizRt).toBeGreaterThanOrEqual(45)
    expect(result.connectedState).toEqual({ tag: "Connected", connectionId: "fake_device_1" })
    // a fresh endpoint answer (its own device id) for the second socket
    expect(result.reconnectedState).toEqual({ tag: "Connected", connectionId: "fake_device_2" })
    expect(result.connections).toEqual({ accepted: 2, open: 1 })
    expect(result.endpointCalls).toBe(2)
    expect(result.pending).toBe(0)
    expect(result.violations).toEqual([])
  })
})

describe("registration and cli on Effect 4", () => {
  it("registers an app over 127.0.0.1 (also through lark-effect register), stops on interruption, and exchanges and refreshes user tokens", async () => {
    const result = await check("registration")
    // QR code, pending, the switch to the Lark host, then the credentials given there
    expect(result.flow.events).toEqual([
      { tag: "QrCode", expireIn: 30, name: "Bot" },
      { tag: "Status", status: "polling" },
      { tag: "Status", status: "domain_switched" },
      { tag: "Done", clientId: "cli_new", clientSecret: "new-secret" }
    ])
    expect(result.flow.calls).toEqual([
      { action: "init", host: "feishu", userAgent: true },
      { action: "begin", host: "feishu", userAgent: true },
      { action: "poll", host: "feishu", userAgent: true },
      { action: "poll", host: "feishu", userAgent: true },
      { action: "poll", host: "lark", userAgent: true }
    ])
    expect(result.denied).toEqual({ tag: "RegistrationDenied", message: "app registration was denied by the user: The user refused" })
    // interrupted while polling: no request afterwards
    expect(result.interrupted).toEqual({ interrupted: true, polled: true, callsAfter: 0 })
    expect(result.aborted).toEqual({ reason: "stop", statuses: ["polling", "polling"] })
    // lark-effect register: exit 0, the app id printed, the secret masked, the .env written; a misspelt flag refused
    expect(result.cli).toEqual({
      code: 0,
      appId: true,
      masked: true,
      env: "LARK_APP_ID=cli_cli\nLARK_APP_SECRET=cli-secret-123456\nLARK_DOMAIN=feishu\n",
      usage: "Unknown option '--nmae'"
    })
    // the exchanged token is stale at once (60 s < 5 minutes ahead): the first get refreshes, the second reuses it;
    // withUser refreshes again after the API refuses u-c-1 and retries; a refused refresh forgets the user
    expect(result.userTokens).toEqual({
      exchanged: "u-c-0",
      first: "u-c-1",
      again: "u-c-1",
      sent: { message_id: "om_1" },
      refused: { tag: "LarkTokenError", message: "could not obtain a user access token: refresh token revoked" },
      forgotten: { tag: "LarkTokenError", message: "could not obtain a user access token: user ou_r: no token is stored" },
      tokenRequests: [
        { grant: "authorization_code", secret: "secret" },
        { grant: "refresh_token", refreshToken: "r-c-0", secret: "secret" },
        { grant: "refresh_token", refreshToken: "r-c-1", secret: "secret" },
        { grant: "authorization_code", secret: "secret" },
        { grant: "refresh_token", refreshToken: "r-revoked-0", secret: "secret" }
      ]
    })
  })
})

describe("channel core on Effect 4", () => {
  it("a webhook Channel normalizes a pushed message, replies once, and handles a duplicate once", async () => {
    const result = await check("channel")
    expect(result.botOpenId).toBe("ou_bot")
    expect(result.status).toBe("Connected")
    // each push is answered once its handlers ran (`ack: "handled"`)
    expect(result.statuses).toEqual([200, 200, 200])
    // the same event id again is never handled; the same message under another event id is a Rejected duplicate
    expect(result.handled).toEqual([
      { messageId: "om_1", chatId: "oc_1", chatType: "p2p", sender: "ou_alice", contentType: "text", bodyText: "hello" }
    ])
    expect(result.rejected).toEqual([{ reason: "duplicate", messageId: "om_1" }])
    expect(result.requests).toEqual([
      { method: "POST", path: "/open-apis/auth/v3/tenant_access_token/internal", body: { _tag: "Json", value: { app_id: "cli_a", app_secret: "secret" } } },
      { method: "GET", path: "/open-apis/bot/v3/info", body: { _tag: "None" } },
      {
        method: "POST",
        path: "/open-apis/im/v1/messages/om_1/reply",
        body: { _tag: "Json", value: { msg_type: "text", content: `{"text":"echo: hello"}` } }
      }
    ])
  })
})

describe("channel outbound on Effect 4", () => {
  it("sends a text and a card, streams a reply into a CardKit card, and refuses internal media URLs", async () => {
    const result = await check("channelOutbound")
    const { outbound, ssrf } = result
    expect(outbound.text).toEqual({ messageId: "om_1", chunkIds: ["om_1"] })
    expect(outbound.card).toEqual({ messageId: "om_2", chunkIds: ["om_2"] })
    // the id types inferred from the ids, the text and the card as the platform receives them
    expect(outbound.sentMessages.slice(0, 2)).toEqual([
      { path: "/open-apis/im/v1/messages", receiveIdType: "chat_id", receiveId: "oc_team", msgType: "text", content: { text: "hello" } },
      {
        path: "/open-apis/im/v1/messages",
        receiveIdType: "open_id",
        receiveId: "ou_alice",
        msgType: "interactive",
        content: {
          schema: "2.0",
          header: { title: { tag: "plain_text", content: "Build" } },
          body: { elements: [{ tag: "markdown", content: "**passed**" }] }
        }
      }
    ])
    // a 1.0 component in a 2.0 card: the fake's card check refuses it (230099), classified format_error
    expect(outbound.refusedCard).toEqual({ tag: "ChannelSendError", code: "format_error", larkCode: 230099 })
    // the stream reply: one card, replied by its id, ending with the whole text and streaming mode off
    expect(outbound.sentMessages[3]).toEqual({
      path: "/open-apis/im/v1/messages/om_question/reply",
      msgType: "interactive",
      content: { type: "card", data: { card_id: outbound.streamed.cardId } }
    })
    expect(outbound.streamed).toMatchObject({ cardIds: [outbound.streamed.cardId], text: "Streaming works on Effect 4." })
    expect(outbound.fakeCard).toEqual({
      cardId: outbound.streamed.cardId,
      elements: { answer: "Streaming works on Effect 4." },
      streaming: false
    })
    expect(ssrf.internalUrl).toEqual({ tag: "ChannelSendError", code: "ssrf_blocked", detail: "host 127.0.0.1 is an internal address" })
    expect(ssrf.resolvesInternal).toEqual({
      tag: "ChannelSendError",
      code: "ssrf_blocked",
      detail: "media.example.com resolves to an internal address (10.0.0.7)"
    })
    expect(ssrf.defaultFetch).toMatchObject({ code: "ssrf_blocked", detail: expect.stringMatching(/^localhost resolves to an internal address/) })
  })
})

describe("events on Effect 4", () => {
  it("verifies, decrypts and dispatches sealed webhook events, refuses a forged one, answers the challenge, rejects a bad card", async () => {
    const result = await check("events")
    const success = { status: 200, body: { msg: "success" } }
    const refused = (status: number) => ({ status, body: { msg: "invalid event request" } })
    // the handler failed the first delivery (500: deliver again), handled the redelivery, and the third was a duplicate
    expect(result.deliveries).toEqual([{ status: 500, body: { msg: "event not handled; deliver again" } }, success, success])
    expect(result.calls).toEqual([
      { version: "v2", eventId: "evt_1", messageId: "om_1" },
      { version: "v2", eventId: "evt_1", messageId: "om_1" }
    ])
    expect(result.undecodable).toEqual(refused(400))
    expect(result.forged).toEqual(refused(401))
    expect(result.signatureError).toEqual({
      tag: "EventSignatureError",
      message: "event signature verification failed: signature does not match"
    })
    expect(result.genuineVerified).toBe(true)
    expect(result.challenge).toEqual({ status: 200, body: { challenge: "ch_1" } })
    expect(result.wrongToken).toEqual(refused(401))
    // pushEvent redelivers after the 500, with the same event id
    expect(result.push).toEqual({ statuses: [500, 200], handled: ["evt_push", "evt_push"] })
    expect(result.viaListener).toEqual(success)
    expect(result.viaApp).toEqual(success)
    // neither the undecodable payload (evt_2) nor the forged delivery (evt_3) reached the handler
    expect(result.handledAfterAll).toEqual(["evt_1", "evt_1", "evt_4", "evt_5"])
    expect(result.card).toEqual({
      error: { tag: "LarkCardError", reason: "UnsupportedTag", path: "body.elements[0]" },
      content: {
        tag: "LarkCardError",
        reason: "UnsupportedTag",
        message: "invalid card at body.elements[0]: `action` is not a card JSON 2.0 component"
      },
      goodIsValid: true
    })
    // rejections are logged with their typed error, never the body
    expect(result.logs).toEqual(expect.arrayContaining([
      expect.stringContaining("rejected: EventDecodeError"),
      expect.stringContaining("rejected: EventSignatureError"),
      expect.stringContaining("rejected: EventTokenError"),
      expect.stringContaining("handler for im.message.receive_v1 failed")
    ]))
  })
})

describe("layers on Effect 4", () => {
  it("sends with a tenant token fetched once against the fake platform, keeps tokens and event claims in Redis, and meters messages by a shared budget", async () => {
    const result = await check("layers")
    // the README quick start (layers/fetch) against FakeOpenPlatform on 127.0.0.1
    expect(result.quickStart).toEqual({
      sent: [true, true],
      chat: "oc_1",
      paths: [
        "POST /open-apis/auth/v3/tenant_access_token/internal",
        "POST /open-apis/im/v1/messages",
        "POST /open-apis/im/v1/messages"
      ],
      authorization: [true, true],
      tokenFetches: 1
    })
    // two replicas on one redis-server: the first fetches the tenant token, the second reads it from Redis
    expect(result.redisTokens).toEqual({
      first: ["/open-apis/auth/v3/tenant_access_token/internal", "/open-apis/im/v1/messages"],
      second: ["/open-apis/im/v1/messages"],
      keys: 1
    })
    // one claim per event id; done once completed; a released claim can be taken again
    expect(result.redisDedupe).toEqual({ first: "Claimed", again: "InProgress", done: "Done", other: "Claimed", released: "Claimed" })
    // the outbound budget: 2 an hour in memory, 3 an hour shared by two replicas on Redis (the next message waits);
    // while its Redis cannot be reached, messages go out unmetered after a warning
    expect(result.budget).toEqual({
      memory: 2,
      redis: 3,
      keys: ["e4:budget:cli_a1b2c3d4e5f6a7b8:im/v1/messages"],
      unreachable: 2,
      warnings: [
        expect.stringContaining("lark-effect Redis connection lost"),
        "lark-effect outbound budget unavailable; request sent unmetered",
        "lark-effect outbound budget unavailable; request sent unmetered"
      ]
    })
  }, 30_000)
})

describe("node wiring on Effect 4", () => {
  it("reads a JSON and a 500 answer through lark-effect/layers/http on 127.0.0.1, times out a silent socket, and sends a message", async () => {
    const result = await check("nodeHttp")
    expect(result.client.json).toEqual({ status: 200, json: { ok: true, n: 1 }, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/json$/) })
    expect(result.client.status500).toEqual({ status: 500, text: `{"error":"boom"}` })
    // Effect 4's one HttpClientError, its reason a class
    expect(result.client.filtered).toEqual({ tag: "HttpClientError", reason: "StatusCodeError", status: 500 })
    // IdleTimeout (a Context.Reference on Effect 4) read by the client: the silent socket ends the request
    expect(result.client.idle).toEqual({ tag: "HttpClientError", reason: "TransportError", code: "ERR_LARK_ATTEMPT_TIMEOUT" })
    expect(result.lark).toEqual({ messageId: "om_node", authorizations: ["Bearer t-node-1"] })
    expect(result.seen).toEqual([
      "GET /json",
      "GET /fail",
      "GET /fail",
      "GET /silent",
      "POST /open-apis/auth/v3/tenant_access_token/internal",
      "POST /open-apis/im/v1/messages?receive_id_type=chat_id"
    ])
  })
})

describe("the Effect 4 edition, installed from its tarball", () => {
  const project = mkdtempSync(join(tmpdir(), "lark-install-"))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  // compiles all of the edition against Effect 4 (minutes on two cores), packs it, installs it with Effect 4's packages
  beforeAll(async () => {
    const tarball = await packEdition(project)
    // with ioredis, the optional peer an app installs for the Redis layers, so that every subpath loads
    const peers = [
      ...installedVersions(join(edition, "node_modules"), ["effect", "@effect/platform-node"]),
      ...installedVersions(join(repository, "node_modules"), ["ioredis"])
    ]
    await installInto(project, tarball, peers)
  }, 20 * 60_000)

  it("runs the README's quick start against the fake Open Platform", async () => {
    const { printed, sent } = await runQuickStart(project, node22())
    expect(sent.map((call) => call.body)).toEqual([{ _tag: "Json", value: expectedMessage }])
    expect(printed).toMatch(/^om_/)
  }, 120_000)

  it("has Effect 4 only, and one undici, in the app's tree, and the edition's version and peers", async () => {
    expect(await installedMajors(project, "effect")).toEqual(["4"])
    // one undici: lark-effect's is the major its @effect/platform-node uses
    expect(await installedMajors(project, "undici")).toEqual(["8"])
    const manifest = JSON.parse(readFileSync(join(project, "node_modules", "lark-effect", "package.json"), "utf8"))
    expect(manifest.version).toMatch(/^4\./)
    expect(manifest.peerDependencies).toMatchObject({ effect: expect.stringMatching(/^\^4\./) })
    expect(Object.keys(manifest.dependencies)).not.toContain("effect")
  })

  it("loads every subpath of its exports map on Effect 4, each with its .d.ts", async () => {
    const specifiers = exportedSpecifiers(join(project, "node_modules", "lark-effect", "package.json"))
    expect(specifiers.length).toBeGreaterThan(1000) // the pattern entries were expanded
    const failed = await importAll(project, specifiers, node22())
    expect(failed, failed.join("\n")).toEqual([])
    expect(untyped(project, specifiers)).toEqual([])
  }, 5 * 60_000)
})
