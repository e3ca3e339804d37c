/**
 * `npm run bench:soak`: does memory come back? Each subject runs in a process of its own on the built package
 * (`dist/`, unbundled, plain `node --expose-gc`), and on the Effect 4 edition as installed (`effect4` mode of
 * `../shared/bundle.ts`, on Node 22; `BENCH_EDITIONS`, `../shared/editions.ts`): `BENCH_SOAK` (default 200,000)
 * calls of `im.v1.message.create` on lark-effect's undici wiring against the fake platform (`calls.ts`), as many
 * encrypted, signed webhook events through `handle` (`events.ts`), and as many long-connection frames pushed by
 * the fake server of `bench/ws` (`frames.ts`), each after 40,000 to warm up (two slices, the clock moved on
 * between them), in slices of 20,000.
 *
 * After the warm-up and after every slice the subject collects garbage and reports its heap in use and its
 * RSS (`subject.ts`); after every slice its clock moves on by the de-duplication TTL, so that the event ids of
 * earlier slices expire, as they do for a bot that runs for days. Prints every sample, then each subject's
 * level after the warm-up, at the end and the change (the goal: within 10 %), and the figures as JSON on the
 * last line. A bench, not a test: nothing is asserted. `BENCH_SOAK_ONLY=events,frames` runs only those subjects.
 */
import { fileURLToPath } from "node:url"
import { ManagedRuntime } from "effect"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { buildForBench, bundleForBench } from "../shared/bundle.js"
import { type Edition, EDITIONS, nodeFor } from "../shared/editions.js"
import { type LineProcess, startLineProcess } from "../shared/lineProcess.js"
import type { Sample } from "./subject.js"

const TOTAL = Number(process.env["BENCH_SOAK"] ?? 200_000)
const SLICE = 20_000
/** Warm-up slices: two, so that the warm-up also runs the code that forgets expired event ids (after the first `age`). */
const WARMUP_SLICES = 2
const WARMUP = WARMUP_SLICES * SLICE

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

interface Soak {
  readonly name: string
  /** Starts the subject (a line process) on `edition` and answers how to run `count` more operations through it. */
  readonly start: (edition: Edition) => Promise<{
    readonly subject: LineProcess<{ ready: boolean }>
    readonly run: (count: number) => Promise<void>
    readonly stop: () => Promise<void>
  }>
}

/** `started`, or, when it fails, `stop()` first: what was started before it must not hold the process open. */
const stoppingOnFailure = <A>(started: Promise<A>, stop: () => unknown): Promise<A> =>
  started.catch(async (error: unknown) => {
    await stop()
    throw error
  })

/** The subject `entry` built for `edition` (Effect 3: `dist`, on this Node; Effect 4: as installed, on Node 22) and started. */
const subject = async (edition: Edition, entry: string, args: ReadonlyArray<string>) => {
  const mode = edition === "effect3" ? "dist" : "effect4"
  return startLineProcess<{ ready: boolean }>(await buildForBench(here(entry), `soak-${entry.slice(2, -3)}`, mode), args, ["--expose-gc"], nodeFor(mode))
}

const calls: Soak = {
  name: `${TOTAL} calls`,
  start: async (edition) => {
    // the fake platform records every call: forgotten after each slice, so that its process keeps up
    const platform = ManagedRuntime.make(fakeOpenPlatform())
    const fake = await platform.runPromise(FakeOpenPlatform)
    const child = await stoppingOnFailure(subject(edition, "./calls.ts", [fake.url]), () => platform.dispose())
    return {
      subject: child,
      run: async (count) => {
        await child.command(`run ${count}`)
        await platform.runPromise(fake.reset)
      },
      stop: () => platform.dispose()
    }
  }
}

const events: Soak = {
  name: `${TOTAL} webhook events`,
  start: async (edition) => {
    const child = await subject(edition, "./events.ts", [])
    return { subject: child, run: (count) => child.command(`run ${count}`), stop: async () => {} }
  }
}

const frames: Soak = {
  name: `${TOTAL} long-connection frames`,
  start: async (edition) => {
    const server = await startLineProcess<{ url: string }>(await bundleForBench(here("../ws/server.ts"), "ws-server"))
    const child = await stoppingOnFailure(subject(edition, "./frames.ts", [server.ready.url]), server.stop)
    await server.command("open 1")
    return {
      subject: child,
      run: async (count) => {
        const burst = await server.command<{ acks: number; failed: number }>(`burst ${count}`)
        if (burst.acks !== count || burst.failed > 0) throw new Error(`frames: ${burst.acks} acks, ${burst.failed} not 200`)
      },
      stop: async () => server.stop()
    }
  }
}

const mib = (n: number) => n.toFixed(1).padStart(7)
const change = (from: number, to: number) => `${to >= from ? "+" : ""}${((to / from - 1) * 100).toFixed(1)} %`.padStart(9)

interface Result {
  readonly name: string
  readonly afterWarmup: Sample
  readonly end: Sample
}

const soak = async ({ name, start }: Soak, edition: Edition): Promise<Result> => {
  const { subject, run, stop } = await start(edition)
  try {
    const step = async (count: number, done: number) => {
      await run(count)
      await subject.command("age")
      const sample = await subject.command<Sample>("sample")
      console.log(
        `  ${String(done).padStart(7)}: heap ${mib(sample.heapMiB)} MiB, RSS ${mib(sample.rssMiB)} MiB` +
          ` (V8 heap total ${mib(sample.heapTotalMiB)}, external ${mib(sample.externalMiB)})`
      )
      return sample
    }
    console.log(`${name} (warm-up ${WARMUP}, then samples after each slice)`)
    for (let slice = 1; slice < WARMUP_SLICES; slice++) {
      await run(SLICE)
      await subject.command("age")
    }
    const afterWarmup = await step(SLICE, 0)
    let end = afterWarmup
    for (let done = 0; done < TOTAL;) {
      const count = Math.min(SLICE, TOTAL - done)
      done += count
      end = await step(count, done)
    }
    return { name, afterWarmup, end }
  } finally {
    subject.stop()
    await stop()
  }
}

/** The subject's name, with the edition and its Node. */
const titled = (name: string, edition: Edition) =>
  edition === "effect3" ? `${name}, Effect 3 (${process.version})` : `${name}, Effect 4 (Node 22)`

const main = async () => {
  const results: Array<Result> = []
  const only = process.env["BENCH_SOAK_ONLY"]?.split(",")
  const chosen = Object.entries({ calls, events, frames }).filter(([key]) => only === undefined || only.includes(key))
  for (const edition of EDITIONS) {
    for (const [, each] of chosen) results.push(await soak({ ...each, name: titled(each.name, edition) }, edition))
  }
  const width = Math.max(...results.map(({ name }) => name.length))
  console.log(`\n${"".padEnd(width)} after warm-up (heap / RSS MiB)   at the end        change heap / RSS (goal: within 10 %)`)
  for (const { name, afterWarmup, end } of results) {
    console.log(
      `${name.padEnd(width)} ${mib(afterWarmup.heapMiB)} / ${mib(afterWarmup.rssMiB)}        ${mib(end.heapMiB)} / ${mib(end.rssMiB)}` +
        `   ${change(afterWarmup.heapMiB, end.heapMiB)} / ${change(afterWarmup.rssMiB, end.rssMiB)}`
    )
  }
  console.log(JSON.stringify({ operations: TOTAL, results }))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
