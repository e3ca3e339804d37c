/**
 * `npm run bench:events`: webhook events per second through lark-effect's `handle` and through
 * `@larksuiteoapi/node-sdk`'s `EventDispatcher.invoke`, on the same encrypted, signed
 * `im.message.receive_v1` bodies (`BENCH_EVENTS` distinct events a side and round, default 20,000, after 5,000
 * to warm up). Every body is verified, decrypted and handed to a handler that only counts; every side has
 * the Encrypt Key and the Verification Token configured.
 *
 * Each side starts from the raw body bytes, as a server receives them: node-sdk's adapters `JSON.parse` the
 * body and attach the headers on the prototype before `invoke`; lark-effect's `handle` takes the bytes (it
 * verifies the signature over them, decrypts, checks the token, classifies, de-duplicates and dispatches).
 * lark-effect runs through its node:http listener (`eventListener`), one fiber per request, and
 * with a slice of requests in one fiber (`larkEffect.ts`).
 *
 * Every side runs under plain node in a fresh process each round (`side.ts`): lark-effect as an installed
 * package runs (the built `dist/`, unbundled: the headline) and as an esbuild bundle (`../shared/bundle.ts`).
 * The Effect 4 edition (docs/effect4.md) runs too, installed-package style (`effect4` mode) on Node 22, against
 * node-sdk on the same Node; `BENCH_EDITIONS=effect3` leaves it out. `BENCH_ROUNDS` rounds (default 3), the order
 * rotating; every run is printed, then the median per side (each against node-sdk on its Node) and the figures as
 * JSON on the last line.
 */
import { fileURLToPath } from "node:url"
import { buildForBench, type Mode } from "../shared/bundle.js"
import { EDITIONS, effect4BaselineNodes, modeLabel, nodeFor, versionOf } from "../shared/editions.js"
import { startLineProcess } from "../shared/lineProcess.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { median } from "../shared/stats.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Side {
  readonly name: string
  readonly script: string
  readonly args: ReadonlyArray<string>
  /** The Node it runs on; its figure is compared with node-sdk's on the same Node. */
  readonly node: string
  readonly nodeSdk: boolean
}

const SHAPES = [
  ["listener", "eventListener (one fiber per request)"],
  ["per-request", "handle, runPromise per request"],
  ["one-fiber", "handle, requests in one fiber"]
] as const

const main = async () => {
  const larkEffect = async (mode: Mode) => {
    const script = await buildForBench(here("./larkEffect.ts"), "events-larkEffect", mode)
    return SHAPES.map(([arg, shape]): Side => ({
      name: `lark-effect ${modeLabel(mode)}, ${shape}`,
      script,
      args: [arg],
      node: nodeFor(mode),
      nodeSdk: false
    }))
  }
  const nodeSdkScript = await buildForBench(here("./nodeSdk.ts"), "events-nodeSdk", "dist")
  const nodeSdkOn = (on: string, name: string): Side => ({ name, script: nodeSdkScript, args: [], node: on, nodeSdk: true })
  const sides: ReadonlyArray<Side> = [
    ...EDITIONS.includes("effect3") ? [...await larkEffect("dist"), ...await larkEffect("bundle")] : [],
    nodeSdkOn(process.execPath, "@larksuiteoapi/node-sdk invoke"),
    ...EDITIONS.includes("effect4") ? await larkEffect("effect4") : [],
    ...effect4BaselineNodes().map((node) => nodeSdkOn(node, "@larksuiteoapi/node-sdk invoke, Node 22"))
  ]
  const width = Math.max(...sides.map((side) => side.name.length)) + 5
  const versions = [...new Set(sides.map((side) => versionOf(side.node)))]
  console.log(`${EVENTS} encrypted, signed im.message.receive_v1 bodies per round, ${ROUNDS} rounds, each side in its own process ` +
    `(node ${versions.join(" and ")})`)
  /** What a side's process answers: events per second of wall time and per second of its CPU time. */
  type Rates = { readonly eventsPerSecond: number; readonly eventsPerCpuSecond: number }
  const runs = new Map<string, Array<Rates>>(sides.map((side) => [side.name, []]))
  const figure = (value: number) => String(Math.round(value)).padStart(10)
  console.log(`${"round: side".padEnd(width)} ${"events/s".padStart(10)} ${"per CPU-s".padStart(10)}`)
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of inRound(sides, round)) {
      const { ready } = await startLineProcess<Rates>(side.script, side.args, [], side.node)
      runs.get(side.name)!.push(ready)
      console.log(`${`${round + 1}: ${side.name}`.padEnd(width)} ${figure(ready.eventsPerSecond)} ${figure(ready.eventsPerCpuSecond)}`)
    }
  }
  const medianOf = (key: keyof Rates) =>
    Object.fromEntries(sides.map(({ name }) => [name, Math.round(median(runs.get(name)!.map((rates) => rates[key])))]))
  const perSecond = medianOf("eventsPerSecond")
  const perCpuSecond = medianOf("eventsPerCpuSecond")
  const ratio = (result: Record<string, number>, side: Side) =>
    (result[side.name]! / result[sides.find((other) => other.nodeSdk && other.node === side.node)!.name]!).toFixed(2)
  console.log(`\n${"median".padEnd(width)} ${"events/s".padStart(10)} ${"vs node-sdk".padStart(12)} ${"per CPU-s".padStart(10)} ${"vs node-sdk".padStart(12)}`)
  for (const side of sides) {
    console.log(`${side.name.padEnd(width)} ${figure(perSecond[side.name]!)} ${ratio(perSecond, side).padStart(11)}x ` +
      `${figure(perCpuSecond[side.name]!)} ${ratio(perCpuSecond, side).padStart(11)}x`)
  }
  console.log(`\nmedian of ${ROUNDS} rounds, each against node-sdk on the same Node; target >= 1.5x node-sdk per CPU-second ` +
    `(the process's CPU time, garbage collection threads included)`)
  console.log(JSON.stringify({ events: EVENTS, rounds: ROUNDS, node: versions, eventsPerSecond: perSecond, eventsPerCpuSecond: perCpuSecond }))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
