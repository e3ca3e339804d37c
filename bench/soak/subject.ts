/**
 * One soak subject in a process of its own, started with `node --expose-gc`, driven by one-line commands on
 * stdin (one JSON line answered on stdout each):
 *
 * - first line out: `{ ready: true }` once the subject has started;
 * - `run <n>`: does `n` more operations (the long connection's are driven by the fake server instead);
 * - `age`: moves {@link clock} on by the de-duplication store's TTL and claim TTL, as if the operations so far
 *   had happened hours ago: every event id is remembered 8 hours by design, so a soak of distinct events
 *   would otherwise measure that memory (a bot's steady state holds 8 hours of ids, not all it ever saw);
 * - `sample`: collects garbage, then answers the heap in use and the RSS, in MiB.
 */
import { createInterface } from "node:readline"
import { setTimeout } from "node:timers/promises"
import * as Duration from "effect/Duration"
import * as Dedupe from "../../src/events/Dedupe.js"
import { liveClockAhead } from "../../src/internal/dialect.js"
import { answer } from "../shared/lineProcess.js"

const AGE = Duration.toMillis(Dedupe.DEFAULT_TTL) + Duration.toMillis(Dedupe.DEFAULT_CLAIM_TTL)

let ahead = 0

/** The live clock, `ahead` milliseconds on: sleeps take real time. */
export const clock = liveClockAhead(() => ahead)

export interface Sample {
  readonly heapMiB: number
  readonly rssMiB: number
  /** What V8 holds for its heap (used or not), and memory outside it (Buffers and other external memory). */
  readonly heapTotalMiB: number
  readonly externalMiB: number
}

const MiB = 1024 * 1024

/** Full collections with a pause between, so that finalizers and the timers they free have run. */
const sample = async (): Promise<Sample> => {
  const gc = (globalThis as { gc?: () => void }).gc!
  for (let i = 0; i < 3; i++) {
    gc()
    await setTimeout(50)
  }
  const { external, heapTotal, heapUsed, rss } = process.memoryUsage()
  return { heapMiB: heapUsed / MiB, rssMiB: rss / MiB, heapTotalMiB: heapTotal / MiB, externalMiB: external / MiB }
}

export const runSubject = async (run?: (count: number) => Promise<void>) => {
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") throw new Error("a soak subject runs under node --expose-gc")
  answer({ ready: true })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(/\s+/)
    if (command === "run" && run !== undefined) {
      await run(Number(arg))
      answer({ ok: true })
    } else if (command === "age") {
      ahead += AGE
      answer({ ok: true })
    } else if (command === "sample") {
      answer(await sample())
    }
  }
}
