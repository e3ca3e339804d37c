/**
 * `npm run bench:ws`: long-connection throughput, in frames per second from the first event pushed to the
 * last ack received (frame decode, JSON parse, dispatch to a no-op handler, ack encode and send), for
 * lark-effect's `LongConnection` and the official Node SDK's `WSClient`, against the same fake server.
 *
 * The server runs in a child process (`server.ts`, bundled so that it keeps up with either client), and so
 * does each client, started afresh every round (`larkEffect.ts`, `nodeSdk.ts`, see `client.ts`), all under
 * plain node. lark-effect runs as an installed package runs (the built `dist/`, unbundled: the headline) and
 * as an esbuild bundle (`../shared/bundle.ts`); node-sdk ships as one compiled CommonJS file already. The
 * clients take turns in a rotating order, `BENCH_ROUNDS` rounds (default 3); every round is printed, then the
 * median. The Effect 4 edition runs too, as installed, on Node 22, against node-sdk on the same Node
 * (`BENCH_EDITIONS`, `../shared/editions.ts`). `BENCH_WS_EVENTS` (default 20000) and `BENCH_WS_WARMUP` (frames
 * before each measured burst, default 5000) tune it; `BENCH_WS_ONLY` runs the clients whose name starts with it.
 */
import { fileURLToPath } from "node:url"
import { buildForBench, bundleForBench, type Mode } from "../shared/bundle.js"
import { EDITIONS, effect4BaselineNodes, modeLabel, nodeFor } from "../shared/editions.js"
import { type LineProcess, startLineProcess } from "../shared/lineProcess.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { fmt, median } from "../shared/stats.js"

const EVENTS = Number(process.env.BENCH_WS_EVENTS ?? 20_000)
const WARMUP = Number(process.env.BENCH_WS_WARMUP ?? 5_000)
const ONLY = process.env.BENCH_WS_ONLY

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Burst {
  readonly ms: number
  readonly acks: number
  readonly failed: number
}

interface Side {
  readonly name: string
  readonly script: string
  /** The Node it runs on; its figures are compared with node-sdk's on the same Node. */
  readonly node: string
  readonly nodeSdk: boolean
}

interface Round {
  /** Frames per second, wall clock. */
  readonly rate: number
  /** Frames per CPU-second of the client process. */
  readonly perCpuSecond: number
}

/** One round of one client: a fresh process, a warm-up burst, then the measured burst. */
const measure = async (server: LineProcess<{ url: string }>, side: Side, connection: number): Promise<Round> => {
  const client = await startLineProcess<{ ready: boolean }>(side.script, [server.ready.url], [], side.node)
  try {
    await server.command(`open ${connection}`)
    await server.command<Burst>(`burst ${WARMUP}`)
    await client.command("cpu")
    const burst = await server.command<Burst>(`burst ${EVENTS}`)
    const { cpuMs } = await client.command<{ cpuMs: number }>("cpu")
    if (burst.failed > 0) throw new Error(`${side.name}: ${burst.failed} acks were not 200`)
    return { rate: (burst.acks / burst.ms) * 1000, perCpuSecond: burst.acks / (cpuMs / 1000) }
  } finally {
    client.stop()
  }
}

const main = async () => {
  const larkEffect = async (mode: Mode): Promise<Side> => ({
    name: `lark-effect LongConnection (${modeLabel(mode)})`,
    script: await buildForBench(here("./larkEffect.ts"), "ws-larkEffect", mode),
    node: nodeFor(mode),
    nodeSdk: false
  })
  const nodeSdkScript = await buildForBench(here("./nodeSdk.ts"), "ws-nodeSdk", "dist")
  const nodeSdkOn = (on: string, name: string): Side => ({ name, script: nodeSdkScript, node: on, nodeSdk: true })
  const sides: ReadonlyArray<Side> = [
    ...EDITIONS.includes("effect3") ? [await larkEffect("dist"), await larkEffect("bundle")] : [],
    nodeSdkOn(process.execPath, "@larksuiteoapi/node-sdk WSClient"),
    ...EDITIONS.includes("effect4") ? [await larkEffect("effect4")] : [],
    ...effect4BaselineNodes().map((node) => nodeSdkOn(node, "@larksuiteoapi/node-sdk WSClient, Node 22"))
  ].filter((side) => ONLY === undefined || side.name.startsWith(ONLY))
  const server = await startLineProcess<{ url: string }>(await bundleForBench(here("./server.ts"), "ws-server"))
  const rounds = new Map<string, Array<Round>>(sides.map((side) => [side.name, []]))
  let connections = 0
  console.log(`long connection: ${EVENTS} message events per round after ${WARMUP} to warm up, ${ROUNDS} rounds, median shown`)
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of inRound(sides, round)) {
        const result = await measure(server, side, ++connections)
        rounds.get(side.name)!.push(result)
        console.log(
          `  round ${round + 1}: ${side.name.padEnd(44)} ${fmt(result.rate)} frames/s wall, ` +
            `${fmt(result.perCpuSecond)} frames per client CPU-second`
        )
      }
    }
  } finally {
    server.stop()
  }
  const report = (label: string, figure: (round: Round) => number) => {
    const of = (side: Side) => median(rounds.get(side.name)!.map(figure))
    console.log(`\n${label} (median):`)
    for (const side of sides) {
      const nodeSdk = sides.find((other) => other.nodeSdk && other.node === side.node)
      const versus = nodeSdk === undefined || side.nodeSdk ? "" : `  ${(of(side) / of(nodeSdk)).toFixed(2)}x node-sdk (target >= 1.5x)`
      console.log(`  ${side.name.padEnd(44)} ${fmt(of(side))}${versus}`)
    }
  }
  report("frames/s, wall clock (bounded by the server process and the machine's load)", (round) => round.rate)
  report("frames per client CPU-second (the client's own cost)", (round) => round.perCpuSecond)
}

void main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
