/**
 * `npm run bench:events`: webhook events per second through lark-effect's `handle` and through
 * `@larksuiteoapi/node-sdk`'s `EventDispatcher.invoke`, on the same encrypted, signed
 * `im.message.receive_v1` bodies (`BENCH_EVENTS` distinct events a round, default 20,000, after 5,000 to warm
 * up; `BENCH_EVENTS_ROUNDS` rounds, default 5, the median is reported). Every body is verified, decrypted
 * and handed to a handler that only counts.
 *
 * Each side starts from the raw body bytes, as a server receives them: node-sdk's adapters `JSON.parse` the
 * body and attach the headers on the prototype before `invoke`; lark-effect's `handle` takes the bytes (it
 * verifies the signature over them, decrypts, classifies, de-duplicates and dispatches). Every side runs in
 * a fresh process each round (`side.ts`), the sides taking turns in a rotating order. lark-effect runs with
 * one `runPromise` per request and with a slice of requests in one fiber, each as an esbuild bundle and
 * through tsx (`../shared/bundle.ts` says why).
 *
 * Prints a table, then the figures as JSON on the last line.
 */
import { fileURLToPath } from "node:url"
import { bundleForBench } from "../shared/bundle.js"
import { startLineProcess } from "../shared/lineProcess.js"
import { median } from "../shared/stats.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const ROUNDS = Number(process.env.BENCH_EVENTS_ROUNDS ?? 5)

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Side {
  readonly name: string
  readonly script: string
  readonly args: ReadonlyArray<string>
}

const main = async () => {
  const bundle = await bundleForBench(here("./larkEffect.ts"), "events-larkEffect")
  const sides: ReadonlyArray<Side> = [
    { name: "@larksuiteoapi/node-sdk invoke", script: here("./nodeSdk.ts"), args: [] },
    { name: "lark-effect, bundle, runPromise per request", script: bundle, args: ["per-request"] },
    { name: "lark-effect, bundle, one fiber", script: bundle, args: ["one-fiber"] },
    { name: "lark-effect, tsx, runPromise per request", script: here("./larkEffect.ts"), args: ["per-request"] },
    { name: "lark-effect, tsx, one fiber", script: here("./larkEffect.ts"), args: ["one-fiber"] }
  ]
  console.log(`${EVENTS} encrypted, signed im.message.receive_v1 bodies per round, ${ROUNDS} rounds, each side in its own process`)
  const rates = new Map<string, Array<number>>(sides.map((side) => [side.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)]) {
      const { ready } = await startLineProcess<{ eventsPerSecond: number }>(side.script, side.args)
      rates.get(side.name)!.push(ready.eventsPerSecond)
    }
  }
  const result = Object.fromEntries(sides.map(({ name }) => [name, Math.round(median(rates.get(name)!))]))
  const baseline = result[sides[0]!.name]!
  console.log(`\n${"".padEnd(44)} ${"events/s".padStart(10)} ${"vs node-sdk".padStart(12)}`)
  for (const { name } of sides) {
    console.log(`${name.padEnd(44)} ${String(result[name]).padStart(10)} ${(result[name]! / baseline).toFixed(2).padStart(11)}x`)
  }
  console.log(`\nnode ${process.version}, median of ${ROUNDS} rounds; target >= 1.5x node-sdk`)
  console.log(JSON.stringify({ events: EVENTS, rounds: ROUNDS, eventsPerSecond: result }))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
