/**
 * `npm run bench:channel`: the channel's inbound pipeline and reply path, for lark-effect's `Channel` and the
 * official Node SDK's `createLarkChannel`, against the same fake platform (`server.ts`, its own process), on
 * both transports (`BENCH_CHANNEL_TRANSPORT=ws|webhook|both`, default `both`):
 *
 * - `ws`: the long connection; the fake platform pushes frames and reads the acks;
 * - `webhook`: each channel's webhook on a loopback node:http server in the client process (lark-effect:
 *   `eventListener(channel.webhook, runtime)`; node-sdk: `adaptDefault(path, channel.dispatcher)`), Encrypt Key
 *   and Verification Token configured on both; the fake platform's process POSTs the encrypted, signed
 *   deliveries, `BENCH_CHANNEL_CONCURRENCY` (default 32) at a time, and reads the answers.
 *
 * Each channel runs alone in a fresh process (`larkEffect.ts`, `nodeSdk.ts`) under plain node; lark-effect's runs
 * as an installed package runs (the built `dist/`, unbundled: the headline) and as an esbuild bundle
 * (`../shared/bundle.ts`); the Effect 4 edition's as installed, on Node 22, against node-sdk on the same Node
 * (`BENCH_EDITIONS`, `../shared/editions.ts`).
 *
 * - Throughput: `BENCH_CHANNEL_MESSAGES` (default 10000) distinct group messages mentioning the bot, over
 *   `BENCH_CHANNEL_CHATS` (default 50) chats, delivered at once after `BENCH_CHANNEL_WARMUP` (default 10000) to
 *   warm up; messages per second from the first delivery to the last handler call (frame decode or HTTP
 *   request, signature and decryption, normalize, dedupe, policy, chat queue, dispatch; the handler only
 *   counts), acks (answers) per second, and the client process's CPU per message.
 * - Latency: `BENCH_CHANNEL_LATENCY` (default 300) messages one at a time, each answered by the handler with a
 *   text reply through the channel; time from the delivery to the fake platform answering the reply (p50 / p95).
 *
 * `BENCH_ROUNDS` (default 3) rounds rotate the order of the clients; every round is printed, throughput figures
 * are the median round, latency percentiles are over all rounds' samples. `BENCH_CHANNEL_ONLY=lark-effect` (or
 * `node-sdk`) runs only those clients; `BENCH_CHANNEL_ACK=queued` makes lark-effect ack once a message is
 * queued, as node-sdk's channel does, instead of once its handler finished.
 */
import { fileURLToPath } from "node:url"
import { buildForBench, type Mode } from "../shared/bundle.js"
import { EDITIONS, effect4BaselineNodes, modeLabel, nodeFor } from "../shared/editions.js"
import { type LineProcess, startLineProcess } from "../shared/lineProcess.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { fmt, median, quantile } from "../shared/stats.js"
import type { Transport } from "./client.js"

const MESSAGES = Number(process.env.BENCH_CHANNEL_MESSAGES ?? 10_000)
const CHATS = Number(process.env.BENCH_CHANNEL_CHATS ?? 50)
const LATENCY = Number(process.env.BENCH_CHANNEL_LATENCY ?? 300)
/** Messages pushed before the measured burst, so that both clients are measured warm (JIT done). */
const WARMUP = Number(process.env.BENCH_CHANNEL_WARMUP ?? 10_000)
const LATENCY_WARMUP = 50
/** Run only the clients whose name starts with this (e.g. `lark-effect`). */
const ONLY = process.env.BENCH_CHANNEL_ONLY
const TRANSPORTS: ReadonlyArray<Transport> = (() => {
  const chosen = process.env.BENCH_CHANNEL_TRANSPORT ?? "both"
  if (chosen === "both") return ["ws", "webhook"]
  if (chosen === "ws" || chosen === "webhook") return [chosen]
  throw new Error(`BENCH_CHANNEL_TRANSPORT must be ws, webhook or both, got ${chosen}`)
})()

/** The width of a side's name in the report. */
const WIDTH = 46

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Side {
  readonly name: string
  readonly client: string
  readonly transport: Transport
  readonly script: string
  /** The Node it runs on; its figures are compared with node-sdk's on the same Node. */
  readonly node: string
}

interface Round {
  readonly handled: number
  readonly acked: number
  readonly cpuMicros: number
  readonly latencies: ReadonlyArray<number>
}

interface Burst {
  readonly start: number
  readonly ackMs: number
  readonly acks: number
  readonly failed: number
}

/**
 * One round of one side: a fresh client process, warm-up, a burst, then replies one at a time. `connection`:
 * how many long connections the fake platform will have accepted once this side's is (ws).
 */
const measure = async (server: LineProcess<{ url: string }>, side: Side, connection: number): Promise<Round> => {
  const client = await startLineProcess<{ ready: boolean; webhook?: string }>(side.script, [server.ready.url, side.transport], [], side.node)
  try {
    await server.command(side.transport === "ws" ? `open ${connection}` : `webhook ${client.ready.webhook}`)
    const burst = async (count: number) => {
      await client.command(`expect ${count}`)
      const pushed = await server.command<Burst>(`burst ${count} ${CHATS}`)
      const { at } = await client.read<{ at: number }>()
      if (pushed.failed > 0) throw new Error(`${side.name}: ${pushed.failed} acks were not 200`)
      return { pushed, handlerMs: at - pushed.start }
    }
    await burst(WARMUP)
    const { pushed, handlerMs } = await burst(MESSAGES)
    const { cpuMs } = await client.command<{ cpuMs: number }>("cpu")
    await client.command("reply on")
    await server.command(`latency ${LATENCY_WARMUP} ${CHATS}`)
    const { samples, failed } = await server.command<{ samples: Array<number>; failed: number }>(`latency ${LATENCY} ${CHATS}`)
    if (failed > 0) throw new Error(`${side.name}: ${failed} acks were not 200 while replying`)
    return {
      handled: (MESSAGES / handlerMs) * 1000,
      acked: (pushed.acks / pushed.ackMs) * 1000,
      cpuMicros: (cpuMs * 1000) / MESSAGES,
      latencies: samples
    }
  } finally {
    client.stop()
  }
}

const main = async () => {
  const larkEffect = async (mode: Mode) => ({
    client: `lark-effect Channel (${modeLabel(mode)})`,
    script: await buildForBench(here("./larkEffect.ts"), "channel-larkEffect", mode),
    node: nodeFor(mode)
  })
  const nodeSdkScript = await buildForBench(here("./nodeSdk.ts"), "channel-nodeSdk", "dist")
  const clients = [
    ...EDITIONS.includes("effect3") ? [await larkEffect("dist"), await larkEffect("bundle")] : [],
    { client: "node-sdk createLarkChannel", script: nodeSdkScript, node: process.execPath },
    ...EDITIONS.includes("effect4") ? [await larkEffect("effect4")] : [],
    ...effect4BaselineNodes().map((node) => ({ client: "node-sdk createLarkChannel, Node 22", script: nodeSdkScript, node }))
  ].filter((side) => ONLY === undefined || side.client.startsWith(ONLY))
  const sides: ReadonlyArray<Side> = TRANSPORTS.flatMap((transport) =>
    clients.map((client) => ({ ...client, transport, name: `${client.client}, ${transport}` }))
  )
  const server = await startLineProcess<{ url: string }>(here("./server.ts"))
  const rounds = new Map<string, Array<Round>>(sides.map((side) => [side.name, []]))
  let connections = 0
  console.log(
    `channel (${TRANSPORTS.join(", ")}): ${MESSAGES} messages over ${CHATS} chats per burst, ${LATENCY} replies one at a time, ` +
      `${ROUNDS} rounds`
  )
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of inRound(sides, round)) {
        if (side.transport === "ws") connections++
        const result = await measure(server, side, connections)
        rounds.get(side.name)!.push(result)
        console.log(
          `  round ${round + 1}: ${side.name.padEnd(WIDTH)} ${fmt(result.handled)} msg/s to the handler, ` +
            `${fmt(result.acked)} acks/s, ${result.cpuMicros.toFixed(0).padStart(4)} µs CPU/msg, ` +
            `reply p50 ${quantile(result.latencies, 0.5).toFixed(1)} ms`
        )
      }
    }
  } finally {
    server.stop()
  }
  const summary = sides.map((side) => {
    const all = rounds.get(side.name)!
    const latencies = all.flatMap((r) => r.latencies)
    return {
      name: side.name,
      client: side.client,
      transport: side.transport,
      node: side.node,
      handled: median(all.map((r) => r.handled)),
      acked: median(all.map((r) => r.acked)),
      cpuMicros: median(all.map((r) => r.cpuMicros)),
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95)
    }
  })
  console.log("\nmedian round (latency: all samples)")
  console.log(`  ${"".padEnd(WIDTH)}   msg/s  acks/s  µs CPU/msg  msg/CPU-s  reply p50  reply p95`)
  for (const s of summary) {
    console.log(
      `  ${s.name.padEnd(WIDTH)} ${fmt(s.handled)} ${fmt(s.acked)} ${s.cpuMicros.toFixed(0).padStart(11)} ` +
        `${fmt(1e6 / s.cpuMicros).padStart(10)} ${s.p50.toFixed(1).padStart(7)} ms ${s.p95.toFixed(1).padStart(7)} ms`
    )
  }
  for (const transport of TRANSPORTS) {
    for (const ours of summary.filter((s) => s.transport === transport && !s.client.startsWith("node-sdk"))) {
      const nodeSdk = summary.find((s) => s.transport === transport && s.node === ours.node && s.client.startsWith("node-sdk"))
      if (nodeSdk === undefined) continue
      console.log(
        `  ${ours.name} / node-sdk: ${(ours.handled / nodeSdk.handled).toFixed(2)}x msg/s, ` +
          `${(nodeSdk.cpuMicros / ours.cpuMicros).toFixed(2)}x msg per CPU-second vs node-sdk (target >= 1.5x)`
      )
    }
  }
}

void main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
