/**
 * `npm run bench:replicas`: what the Redis dedupe store costs per webhook event.
 *
 * Webhook replicas, each its own process (`replica.ts`: `handleEvent` with a no-op handler), fed signed and
 * encrypted deliveries (built before the clock starts, each with a new event id) from this process:
 * - memory x1: one replica with the default in-memory store (no Redis);
 * - redis x1: one replica with the Redis store;
 * - redis x3: three replicas with the Redis store, round robin.
 * Throughput at concurrency 32 (`BENCH_EVENTS` events, default 3000), latency of one event at a time
 * (`BENCH_SEQUENTIAL`, default 500), and the Redis commands each event sends (seen through MONITOR).
 * Redis: `REDIS_URL`, else a private redis-server.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import { post, signedDelivery } from "../../examples/replicas.js"
import { clientCommands, redisServer, skipReason } from "../../layers/redis/testServer.js"
import { KEY } from "./key.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000)
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 500)
const CONCURRENCY = 32
let sequence = 0
const deliveries = (count: number) =>
  Array.from({ length: count }, () =>
    signedDelivery({
      schema: "2.0",
      header: { event_id: `bench_${process.pid}_${sequence++}`, event_type: "bench.work", create_time: "0" },
      event: {}
    }, KEY))

/** Starts a replica process (killed with the scope); answers its URL. */
const replica = (env: Record<string, string>) =>
  Effect.flatMap(
    Effect.acquireRelease(
      Effect.sync(() =>
        fork(fileURLToPath(new URL("replica.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], env: { ...process.env, ...env } })
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    ),
    (child) => Effect.async<string>((resume) => void child.once("message", (message) => resume(Effect.succeed((message as { url: string }).url))))
  )

/** Posts every delivery, `concurrency` at a time, round robin over `targets`; answers seconds and latencies (ms). */
const load = (targets: ReadonlyArray<string>, batch: ReadonlyArray<ReturnType<typeof signedDelivery>>, concurrency: number) =>
  Effect.promise(async () => {
    const latencies: Array<number> = []
    let next = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < batch.length) {
        const i = next++
        const t = performance.now()
        const status = await post(targets[i % targets.length]!, batch[i]!)
        if (status !== 200) throw new Error(`delivery answered ${status}`)
        latencies.push(performance.now() - t)
      }
    }))
    return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) }
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/** Client commands per event by name while `count` events go through `target` one at a time. */
const commandsPerEvent = (url: string, target: string, count: number) =>
  Effect.map(
    clientCommands(url, load([target], deliveries(count), 1)),
    (seen) => Object.fromEntries(Object.entries(seen).map(([name, n]) => [name, n / count]))
  )

const main = Effect.gen(function*() {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv === undefined && skipReason !== undefined) {
    return console.log(`bench:replicas needs Redis: set REDIS_URL, or install redis-server (${skipReason})`)
  }
  const url = fromEnv ?? (yield* redisServer).url
  const prefix = `lark-bench:${Date.now()}:`
  const memory = yield* replica({ STORE: "memory" })
  const redisReplica = replica({ STORE: "redis", REDIS_URL: url, REDIS_PREFIX: prefix })
  const fleet = yield* Effect.all([redisReplica, redisReplica, redisReplica], { concurrency: "unbounded" })
  const single = fleet[0]!

  // warm-up: connections, JIT, the claim script loaded on every connection
  for (const targets of [[memory], fleet]) yield* load(targets, deliveries(300), 8)

  const rows: Array<Record<string, string | number>> = []
  const run = (name: string, targets: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const sequential = yield* load(targets, deliveries(SEQUENTIAL), 1)
      const loaded = yield* load(targets, deliveries(EVENTS), CONCURRENCY)
      rows.push({
        setup: name,
        "events/s (c=32)": Math.round(EVENTS / loaded.seconds),
        "p50 ms (c=32)": +percentile(loaded.latencies, 0.5).toFixed(2),
        "p50 ms (c=1)": +percentile(sequential.latencies, 0.5).toFixed(3),
        "p99 ms (c=1)": +percentile(sequential.latencies, 0.99).toFixed(3)
      })
    })
  yield* run("memory x1", [memory])
  yield* run("redis x1", [single])
  yield* run("redis x3", fleet)
  const commands = yield* commandsPerEvent(url, single, 200)

  console.log(`Redis: ${fromEnv === undefined ? "a private redis-server" : "REDIS_URL"}; ${EVENTS} events at concurrency ${CONCURRENCY}, ${SEQUENTIAL} one at a time`)
  console.table(rows)
  const added = (rows[1]!["p50 ms (c=1)"] as number) - (rows[0]!["p50 ms (c=1)"] as number)
  console.log(`added latency per event (p50, one at a time): ${added.toFixed(3)} ms`)
  console.log(`Redis commands per event: ${Object.entries(commands).map(([name, n]) => `${name} ${n}`).join(", ")} (claim: 1 EVALSHA before the handler; completion: 1 SET after it)`)
  console.log(JSON.stringify({ rows, addedLatencyMs: +added.toFixed(3), commandsPerEvent: commands }))
}).pipe(Effect.scoped)

void Effect.runPromise(main)
