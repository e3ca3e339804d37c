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
 * lark-effect runs through its node:http listener (`eventListener`), with one `runPromise` per request, and
 * with a slice of requests in one fiber (`larkEffect.ts`).
 *
 * Every side runs under plain node in a fresh process each round (`side.ts`): lark-effect as an installed
 * package runs (the built `dist/`, unbundled: the headline) and as an esbuild bundle (`../shared/bundle.ts`).
 * `BENCH_ROUNDS` rounds (default 3), the order rotating; every run is printed, then the median per side and
 * the figures as JSON on the last line.
 */
import { fileURLToPath } from "node:url"
import { buildForBench, type Mode } from "../shared/bundle.js"
import { startLineProcess } from "../shared/lineProcess.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { median } from "../shared/stats.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Side {
  readonly name: string
  readonly script: string
  readonly args: ReadonlyArray<string>
}

const SHAPES = [
  ["listener", "eventListener (runPromise per request)"],
  ["per-request", "handle, runPromise per request"],
  ["one-fiber", "handle, requests in one fiber"]
] as const

const main = async () => {
  const larkEffect = async (mode: Mode) => {
    const script = await buildForBench(here("./larkEffect.ts"), "events-larkEffect", mode)
    return SHAPES.map(([arg, shape]): Side => ({ name: `lark-effect ${mode}, ${shape}`, script, args: [arg] }))
  }
  const nodeSdk: Side = {
    name: "@larksuiteoapi/node-sdk invoke",
    script: await buildForBench(here("./nodeSdk.ts"), "events-nodeSdk", "dist"),
    args: []
  }
  const sides: ReadonlyArray<Side> = [...await larkEffect("dist"), ...await larkEffect("bundle"), nodeSdk]
  const width = Math.max(...sides.map((side) => side.name.length)) + 5
  console.log(`${EVENTS} encrypted, signed im.message.receive_v1 bodies per round, ${ROUNDS} rounds, each side in its own process`)
  const rates = new Map<string, Array<number>>(sides.map((side) => [side.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of inRound(sides, round)) {
      const { ready } = await startLineProcess<{ eventsPerSecond: number }>(side.script, side.args)
      rates.get(side.name)!.push(ready.eventsPerSecond)
      console.log(`${`${round + 1}: ${side.name}`.padEnd(width)} ${String(Math.round(ready.eventsPerSecond)).padStart(10)}`)
    }
  }
  const result = Object.fromEntries(sides.map(({ name }) => [name, Math.round(median(rates.get(name)!))]))
  const baseline = result[nodeSdk.name]!
  console.log(`\n${"median".padEnd(width)} ${"events/s".padStart(10)} ${"vs node-sdk".padStart(12)}`)
  for (const { name } of sides) {
    console.log(`${name.padEnd(width)} ${String(result[name]).padStart(10)} ${(result[name]! / baseline).toFixed(2).padStart(11)}x`)
  }
  console.log(`\nnode ${process.version}, median of ${ROUNDS} rounds; target >= 1.5x node-sdk`)
  console.log(JSON.stringify({ events: EVENTS, rounds: ROUNDS, eventsPerSecond: result }))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
