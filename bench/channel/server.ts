/**
 * The channel benchmark's platform side, in its own process: the fake Open Platform (tokens, `bot/v3/info`,
 * message replies) with the fake long-connection server behind its `/callback/ws/endpoint`, driven by
 * one-line commands on stdin, answering one JSON line on stdout per command.
 *
 * - `open <n>`: waits until `n` sockets were accepted in total and one is open.
 * - `burst <count> <chats>`: pushes `count` distinct group messages mentioning the bot, spread over `chats`
 *   chats, to the newest socket at once and waits for all their acks; answers `{ start, ackMs, acks, failed }`
 *   (`start`: epoch milliseconds of the first push, comparable with the client process's clock).
 * - `latency <count>`: pushes one message at a time and waits for the bot's reply to it (the fake platform
 *   answering `POST /im/v1/messages/:id/reply`); answers the push-to-reply times in milliseconds.
 */
import { createServer } from "node:http"
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
import { APP } from "../shared/app.js"
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
  const push = (envelope: FakeChat.Envelope) => Effect.runSync(fake.push(envelope))
  const ackCount = async () => (await run(fake.acks)).length

  answer({ url: Context.get(context, FakeOpenPlatform).url })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, ...args] = line.trim().split(/\s+/)
    const [count = 0, spread = 1] = args.map(Number)
    if (command === "open") {
      await run(fake.until((v) => v.accepted >= count && v.open >= 1))
      answer({ ok: true })
    } else if (command === "burst") {
      const before = await ackCount()
      // built beforehand: the timed part is the push itself (encoding, socket writes) and the client's work
      const messages = Array.from({ length: count }, (_, i) => message(i % spread))
      const start = performance.now()
      for (const { envelope } of messages) push(envelope)
      await run(fake.until((v) => v.acks.length >= before + count))
      const ackMs = performance.now() - start
      const acks = (await run(fake.acks)).slice(before)
      answer({ start: performance.timeOrigin + start, ackMs, acks: acks.length, failed: acks.filter((ack) => ack.code !== 200).length })
    } else if (command === "latency") {
      const before = await ackCount()
      const samples: Array<number> = []
      for (let i = 0; i < count; i++) {
        const { envelope, messageId } = message(i % spread)
        const replied = new Promise<void>((resolve) => replyWaiters.set(messageId, resolve))
        const start = performance.now()
        push(envelope)
        await replied
        samples.push(performance.now() - start)
      }
      // every message is acknowledged before the next client connects (no redeliveries to it)
      await run(fake.until((v) => v.acks.length >= before + count))
      answer({ samples })
    }
  }
  await run(Scope.close(scope, Exit.void))
}

void main()
