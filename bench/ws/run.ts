/**
 * `npm run bench:ws`: long-connection throughput, in frames per second from the first event pushed to the
 * last ack received (frame decode, JSON parse, dispatch to a no-op handler, ack encode and send), for
 * lark-effect's `LongConnection` and the official Node SDK's `WSClient`, against the same fake server.
 *
 * The server runs in a child process (`server.ts`); the client under test has this process to itself.
 * Rounds alternate between the clients; the median round counts. `BENCH_WS_EVENTS` (default 20000) and
 * `BENCH_WS_ROUNDS` (default 5) tune it.
 */
import { fileURLToPath } from "node:url"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as lark from "@larksuiteoapi/node-sdk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as WsLayer from "../../layers/ws.js"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import * as LarkConfig from "../../src/LarkConfig.js"
import * as LongConnection from "../../src/ws/LongConnection.js"
import { APP } from "../shared/app.js"
import { startLineProcess } from "../shared/lineProcess.js"
import { fmt, median } from "../shared/stats.js"

const EVENTS = Number(process.env.BENCH_WS_EVENTS ?? 20_000)
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 5)
const WARMUP = 2_000
/** Run one client only (`lark-effect` or `@larksuiteoapi`), e.g. to profile it. */
const ONLY = process.env.BENCH_WS_ONLY

interface Burst {
  readonly ms: number
  readonly acks: number
  readonly failed: number
}

/** The server process and its one-line command protocol. */
const startServer = async () => {
  const server = await startLineProcess<{ url: string }>(fileURLToPath(new URL("./server.ts", import.meta.url)))
  return { url: server.ready.url, command: server.command, stop: server.stop }
}

interface Client {
  readonly name: string
  readonly start: (url: string) => Promise<() => Promise<void>>
}

const larkEffect: Client = {
  name: "lark-effect LongConnection",
  start: async (url) => {
    const dispatcher = EventDispatcher.make().on("im.message.receive_v1", () => Effect.void)
    const wiring = Layer.mergeAll(
      Layer.orDie(LarkConfig.layer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url })),
      FetchHttpClient.layer,
      WsLayer.layer
    )
    const fiber = Effect.runFork(
      LongConnection.run(dispatcher).pipe(Effect.provide(wiring), Logger.withMinimumLogLevel(LogLevel.Warning))
    )
    return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
  }
}

const nodeSdk: Client = {
  name: "@larksuiteoapi/node-sdk WSClient",
  start: async (url) => {
    const client = new lark.WSClient({ ...APP, domain: url, loggerLevel: lark.LoggerLevel.error })
    const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({
      "im.message.receive_v1": async () => {}
    })
    await client.start({ eventDispatcher: dispatcher })
    return async () => client.close({ force: true })
  }
}

const main = async () => {
  const server = await startServer()
  const rates = new Map<string, Array<number>>()
  const cpuRates = new Map<string, Array<number>>()
  let connections = 0
  console.log(`long connection: ${EVENTS} message events per round, ${ROUNDS} rounds, median shown`)
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [larkEffect, nodeSdk] : [nodeSdk, larkEffect]
    for (const client of order.filter((c) => ONLY === undefined || c.name.startsWith(ONLY))) {
      const stop = await client.start(server.url)
      await server.command(`open ${++connections}`)
      await server.command<Burst>(`burst ${WARMUP}`)
      const cpuBefore = process.cpuUsage()
      const burst = await server.command<Burst>(`burst ${EVENTS}`)
      const cpu = process.cpuUsage(cpuBefore)
      await stop()
      if (burst.failed > 0) throw new Error(`${client.name}: ${burst.failed} acks were not 200`)
      const rate = (burst.acks / burst.ms) * 1000
      const perCpuSecond = burst.acks / ((cpu.user + cpu.system) / 1e6)
      rates.set(client.name, [...(rates.get(client.name) ?? []), rate])
      cpuRates.set(client.name, [...(cpuRates.get(client.name) ?? []), perCpuSecond])
      console.log(
        `  round ${round + 1}: ${client.name.padEnd(34)} ${fmt(rate)} frames/s wall, ${fmt(perCpuSecond)} frames per client CPU-second`
      )
    }
  }
  server.stop()
  const report = (label: string, table: Map<string, Array<number>>) => {
    const ours = median(table.get(larkEffect.name) ?? [Number.NaN])
    const theirs = median(table.get(nodeSdk.name) ?? [Number.NaN])
    console.log(`\n${label} (median):`)
    console.log(`  ${larkEffect.name.padEnd(34)} ${fmt(ours)}`)
    console.log(`  ${nodeSdk.name.padEnd(34)} ${fmt(theirs)}`)
    console.log(`  ratio: ${(ours / theirs).toFixed(2)}x (target >= 1.5x)`)
  }
  report("frames/s, wall clock (bounded by the server process and the machine's load)", rates)
  report("frames per client CPU-second (the client's own cost)", cpuRates)
}

void main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
