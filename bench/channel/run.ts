/**
 * `npm run bench:channel`: the channel's inbound pipeline and reply path, for lark-effect's `Channel` and the
 * official Node SDK's `createLarkChannel`, against the same fake platform (`server.ts`, its own process).
 * Each channel runs alone in a fresh process (`larkEffect.ts`, `nodeSdk.ts`) under plain node; lark-effect's runs
 * as an installed package runs (the built `dist/`, unbundled: the headline) and as an esbuild bundle
 * (`../shared/bundle.ts`).
 *
 * - Throughput: `BENCH_CHANNEL_MESSAGES` (default 10000) distinct group messages mentioning the bot, over
 *   `BENCH_CHANNEL_CHATS` (default 50) chats, pushed over the long connection at once after
 *   `BENCH_CHANNEL_WARMUP` (default 10000) to warm up; messages per second
 *   from the first push to the last handler call (frame decode, normalize, dedupe, policy, chat queue,
 *   dispatch; the handler only counts), acks per second, and the client's CPU per message.
 * - Latency: `BENCH_CHANNEL_LATENCY` (default 300) messages one at a time, each answered by the handler with a
 *   text reply through the channel; time from the push to the fake platform answering the reply (p50 / p95).
 *
 * `BENCH_ROUNDS` (default 3) rounds rotate the order of the clients; every round is printed, throughput figures
 * are the median round, latency percentiles are over all rounds' samples. `BENCH_CHANNEL_ONLY=lark-effect` (or
 * `node-sdk`) runs only those clients; `BENCH_CHANNEL_ACK=queued` makes lark-effect ack once a message is
 * queued, as node-sdk's channel does, instead of once its handler finished.
 */
import { fileURLToPath } from "node:url"
import { buildForBench } from "../shared/bundle.js"
import { type LineProcess, startLineProcess } from "../shared/lineProcess.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { fmt, median, quantile } from "../shared/stats.js"

const MESSAGES = Number(process.env.BENCH_CHANNEL_MESSAGES ?? 10_000)
const CHATS = Number(process.env.BENCH_CHANNEL_CHATS ?? 50)
const LATENCY = Number(process.env.BENCH_CHANNEL_LATENCY ?? 300)
/** Messages pushed before the measured burst, so that both clients are measured warm (JIT done). */
const WARMUP = Number(process.env.BENCH_CHANNEL_WARMUP ?? 10_000)
const LATENCY_WARMUP = 50
/** Run only the clients whose name starts with this (e.g. `lark-effect`). */
const ONLY = process.env.BENCH_CHANNEL_ONLY

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Side {
  readonly name: string
  readonly script: string
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

/** One round of one side: a fresh client process, warm-up, a burst, then replies one at a time. */
const measure = async (server: LineProcess<{ url: string }>, side: Side, connection: number): Promise<Round> => {
  const client = await startLineProcess<{ ready: boolean }>(side.script, [server.ready.url])
  try {
    await server.command(`open ${connection}`)
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
    const { samples } = await server.command<{ samples: Array<number> }>(`latency ${LATENCY} ${CHATS}`)
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
  const sides: ReadonlyArray<Side> = [
    { name: "lark-effect Channel (dist)", script: await buildForBench(here("./larkEffect.ts"), "channel-larkEffect", "dist") },
    { name: "lark-effect Channel (bundle)", script: await buildForBench(here("./larkEffect.ts"), "channel-larkEffect", "bundle") },
    { name: "node-sdk createLarkChannel", script: await buildForBench(here("./nodeSdk.ts"), "channel-nodeSdk", "dist") }
  ].filter((side) => ONLY === undefined || side.name.startsWith(ONLY))
  const server = await startLineProcess<{ url: string }>(here("./server.ts"))
  const rounds = new Map<string, Array<Round>>(sides.map((side) => [side.name, []]))
  let connections = 0
  console.log(
    `channel: ${MESSAGES} messages over ${CHATS} chats per burst, ${LATENCY} replies one at a time, ${ROUNDS} rounds`
  )
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of inRound(sides, round)) {
        const result = await measure(server, side, ++connections)
        rounds.get(side.name)!.push(result)
        console.log(
          `  round ${round + 1}: ${side.name.padEnd(37)} ${fmt(result.handled)} msg/s to the handler, ` +
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
      handled: median(all.map((r) => r.handled)),
      acked: median(all.map((r) => r.acked)),
      cpuMicros: median(all.map((r) => r.cpuMicros)),
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95)
    }
  })
  console.log("\nmedian round (latency: all samples)")
  console.log(`  ${"".padEnd(37)}   msg/s  acks/s  µs CPU/msg  msg/CPU-s  reply p50  reply p95`)
  for (const s of summary) {
    console.log(
      `  ${s.name.padEnd(37)} ${fmt(s.handled)} ${fmt(s.acked)} ${s.cpuMicros.toFixed(0).padStart(11)} ` +
        `${fmt(1e6 / s.cpuMicros).padStart(10)} ${s.p50.toFixed(1).padStart(7)} ms ${s.p95.toFixed(1).padStart(7)} ms`
    )
  }
  const nodeSdk = summary.find((s) => s.name.startsWith("node-sdk"))
  if (nodeSdk === undefined) return
  for (const ours of summary.filter((s) => s !== nodeSdk)) {
    console.log(
      `  ${ours.name} / node-sdk: ${(ours.handled / nodeSdk.handled).toFixed(2)}x msg/s, ` +
        `${(nodeSdk.cpuMicros / ours.cpuMicros).toFixed(2)}x msg per CPU-second (target >= 1.5x)`
    )
  }
}

void main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
