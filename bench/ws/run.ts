/**
 * `npm run bench:ws`: long-connection throughput, in frames per second from the first event pushed to the
 * last ack received (frame decode, JSON parse, dispatch to a no-op handler, ack encode and send), for
 * lark-effect's `LongConnection` and the official Node SDK's `WSClient`, against the same fake server.
 *
 * The server runs in a child process (`server.ts`); the client under test has this process to itself.
 * lark-effect runs twice, as an esbuild bundle and through tsx (`../shared/bundle.ts` says why). The clients take
 * turns, in a rotating order; the median round counts. `BENCH_WS_EVENTS` (default 20000) and
 * `BENCH_WS_ROUNDS` (default 5) tune it.
 */
import { fileURLToPath, pathToFileURL } from "node:url"
import * as lark from "@larksuiteoapi/node-sdk"
import { APP } from "../shared/app.js"
import { bundleForBench } from "../shared/bundle.js"
import { startLineProcess } from "../shared/lineProcess.js"
import { fmt, median } from "../shared/stats.js"
import * as LarkEffect from "./larkEffect.js"

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

const larkEffectTsx: Client = { name: "lark-effect LongConnection (tsx)", start: LarkEffect.start }

const bundled: typeof LarkEffect = await import(
  pathToFileURL(await bundleForBench(fileURLToPath(new URL("./larkEffect.ts", import.meta.url)), "ws-larkEffect")).href
)
const larkEffectBundle: Client = { name: "lark-effect LongConnection (bundle)", start: bundled.start }

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
    const clients = [larkEffectBundle, larkEffectTsx, nodeSdk]
    const order = [...clients.slice(round % clients.length), ...clients.slice(0, round % clients.length)]
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
        `  round ${round + 1}: ${client.name.padEnd(38)} ${fmt(rate)} frames/s wall, ${fmt(perCpuSecond)} frames per client CPU-second`
      )
    }
  }
  server.stop()
  const report = (label: string, table: Map<string, Array<number>>) => {
    const theirs = median(table.get(nodeSdk.name) ?? [Number.NaN])
    console.log(`\n${label} (median):`)
    console.log(`  ${nodeSdk.name.padEnd(38)} ${fmt(theirs)}`)
    for (const ours of [larkEffectBundle, larkEffectTsx]) {
      const rate = median(table.get(ours.name) ?? [Number.NaN])
      console.log(`  ${ours.name.padEnd(38)} ${fmt(rate)}  ${(rate / theirs).toFixed(2)}x node-sdk (target >= 1.5x)`)
    }
  }
  report("frames/s, wall clock (bounded by the server process and the machine's load)", rates)
  report("frames per client CPU-second (the client's own cost)", cpuRates)
}

void main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
