/**
 * The channel benchmark's platform side, in its own process: the fake Open Platform (tokens, `bot/v3/info`,
 * message replies) with the fake long-connection server behind its `/callback/ws/endpoint`, driven by
 * one-line commands on stdin, answering one JSON line on stdout per command. Messages go to the newest
 * long-connection socket (`open`) or to a webhook (`webhook`), whichever was named last.
 *
 * - `open <n>`: waits until `n` sockets were accepted in total and one is open; messages go over it.
 * - `webhook <url>`: messages are POSTed to `url`, encrypted and signed as the platform does (Encrypt Key and
 *   Verification Token of `WEBHOOK`), `BENCH_CHANNEL_CONCURRENCY` (default 32) at a time over keep-alive
 *   connections.
 * - `burst <count> <chats>`: delivers `count` distinct group messages mentioning the bot, spread over `chats`
 *   chats, at once (built and sealed beforehand) and waits for all their acks (long connection) or answers
 *   (webhook); answers `{ start, ackMs, acks, failed }` (`start`: epoch milliseconds of the first delivery,
 *   comparable with the client process's clock; `failed`: acks or answers other than 200).
 * - `latency <count>`: delivers one message at a time and waits for the bot's reply to it (the fake platform
 *   answering `POST /im/v1/messages/:id/reply`) and for its ack; answers the delivery-to-reply times in
 *   milliseconds.
 */
import { Agent, createServer, request as httpRequest } from "node:http"
import { createInterface } from "node:readline"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as FakeChat from "../../src/testing/FakeChat.js"
import { FakeLongConnection, layer as fakeLongConnection } from "../../src/testing/FakeLongConnection.js"
import { FakeOpenPlatform, layer as fakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { type Sealed, seal } from "../../src/testing/pushEvent.js"
import { APP, WEBHOOK } from "../shared/app.js"
import { answer } from "../shared/lineProcess.js"

/** The fake platform's HTTP server, with a hook telling when a reply to a message was answered. */
const httpServer = (onReply: (messageId: string) => void) => {
  const server = createServer()
  server.on("request", (request, response) => {
    const replied = /^\/open-apis\/im\/v1\/messages\/([^/?]+)\/reply/.exec(request.url ?? "")
    if (replied !== null) response.on("finish", () => onReply(decodeURIComponent(replied[1]!)))
  })
  return server
}

/** Webhook deliveries in flight at once. */
const CONCURRENCY = Number(process.env.BENCH_CHANNEL_CONCURRENCY ?? 32)

/**
 * Where messages go: `prepare` builds what goes on the wire (outside the timed part) and answers the
 * delivery itself, which resolves with the status of every ack or answer once all came back.
 */
interface Target {
  readonly prepare: (envelopes: ReadonlyArray<FakeChat.Envelope>) => () => Promise<ReadonlyArray<number>>
}

/** POSTs `sealed` to `url` over `agent`; resolves with the answer's status once its body was read. */
const post = (agent: Agent, url: URL, sealed: Sealed) =>
  new Promise<number>((answered, failed) => {
    const body = Buffer.from(sealed.rawBody)
    const request = httpRequest(url, {
      method: "POST",
      agent,
      headers: { ...sealed.headers, "content-length": String(body.length) }
    }, (response) => {
      response.on("data", () => undefined)
      response.on("end", () => answered(response.statusCode ?? 0))
      response.on("error", failed)
    })
    request.on("error", failed)
    request.end(body)
  })

/** Webhook deliveries to `url`, `CONCURRENCY` in flight, like the platform's pushes to a busy bot. */
const webhookTarget = (url: URL): Target => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const options = { encryptKey: WEBHOOK.encryptKey, verificationToken: WEBHOOK.verificationToken }
  return {
    prepare: (envelopes) => {
      const sealed = envelopes.map((envelope) => Effect.runSync(seal(FakeChat.toPush(envelope), options)))
      return async () => {
        const statuses: Array<number> = []
        let next = 0
        const worker = async () => {
          while (next < sealed.length) statuses.push(await post(agent, url, sealed[next++]!))
        }
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sealed.length) }, worker))
        return statuses
      }
    }
  }
}

const main = async () => {
  const replyWaiters = new Map<string, () => void>()
  const server = httpServer((messageId) => {
    replyWaiters.get(messageId)?.()
    replyWaiters.delete(messageId)
  })
  const platform = fakeOpenPlatform({ apps: [APP] }).pipe(
    Layer.provide(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" })),
    Layer.orDie,
    // node-sdk's WSClient acks with a biz_rt of start − end milliseconds (0 or negative)
    Layer.provideMerge(fakeLongConnection({ apps: [APP], acceptNegativeBizRt: true }))
  )
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(platform, scope))
  const fake = Context.get(context, FakeLongConnection)
  const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

  const alice: FakeChat.ChatUser = { openId: "ou_bench_alice", name: "Alice" }
  let sent = 0
  /** One more distinct text message mentioning the bot, in chat `n`, as the platform would push it now. */
  const message = (n: number) => {
    const id = sent++
    const chat = { chatId: `oc_bench_chat_${n}`, chatType: "group" as const, appId: APP.appId }
    const text = `benchmark message number ${id} with some text in it`
    const input = { from: alice, text, mentionBot: true, messageId: `om_bench_${id}`, eventId: `evt_bench_${id}` }
    return { messageId: input.messageId, envelope: FakeChat.messageEvent(chat, input, Date.now()) }
  }
  /** Pushes over the newest long-connection socket, then waits for the acks of all that was pushed. */
  const socketTarget: Target = {
    prepare: (envelopes) => async () => {
      const before = (await run(fake.acks)).length
      for (const envelope of envelopes) Effect.runSync(fake.push(envelope))
      await run(fake.until((v) => v.acks.length >= before + envelopes.length))
      return (await run(fake.acks)).slice(before).map((ack) => ack.code)
    }
  }
  let target = socketTarget

  answer({ url: Context.get(context, FakeOpenPlatform).url })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, ...args] = line.trim().split(/\s+/)
    const [count = 0, spread = 1] = args.map(Number)
    if (command === "open") {
      await run(fake.until((v) => v.accepted >= count && v.open >= 1))
      target = socketTarget
      answer({ ok: true })
    } else if (command === "webhook") {
      target = webhookTarget(new URL(args[0]!))
      answer({ ok: true })
    } else if (command === "burst") {
      // built beforehand: the timed part is the delivery itself (encoding, writes) and the client's work
      const deliver = target.prepare(Array.from({ length: count }, (_, i) => message(i % spread).envelope))
      const start = performance.now()
      const acks = await deliver()
      const ackMs = performance.now() - start
      answer({ start: performance.timeOrigin + start, ackMs, acks: acks.length, failed: acks.filter((code) => code !== 200).length })
    } else if (command === "latency") {
      const samples: Array<number> = []
      let failed = 0
      for (let i = 0; i < count; i++) {
        const { envelope, messageId } = message(i % spread)
        const replied = new Promise<void>((resolve) => replyWaiters.set(messageId, resolve))
        const deliver = target.prepare([envelope])
        const start = performance.now()
        // every message is acknowledged before the next one goes (and before the next client connects)
        const [acks] = await Promise.all([deliver(), replied.then(() => samples.push(performance.now() - start))])
        failed += acks.filter((code) => code !== 200).length
      }
      answer({ samples, failed })
    }
  }
  await run(Scope.close(scope, Exit.void))
}

void main()
