/**
 * One side of `bench/events` in a process of its own (so that neither side's garbage nor JIT state weighs
 * on the other's figure): makes the same encrypted, signed `im.message.receive_v1` deliveries every side
 * gets, warms up, times `BENCH_EVENTS` of them, prints `{ eventsPerSecond, eventsPerCpuSecond }` (per second of
 * wall time, and of the process's CPU time, garbage collection threads included) and exits.
 */
import { randomUUID } from "node:crypto"
import { performance } from "node:perf_hooks"
import * as Crypto from "../../src/events/crypto.js"
import { WEBHOOK } from "../shared/app.js"
import { answer } from "../shared/lineProcess.js"

export const KEY = WEBHOOK.encryptKey
/** The Verification Token every delivery carries (`header.token`). */
export const TOKEN = WEBHOOK.verificationToken

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const WARMUP = 5_000
/** Events handed to `run` at once. */
const SLICE = 500

export interface Delivery {
  readonly headers: Record<string, string>
  readonly rawBody: Buffer
}

/** A fresh handler stack, fed slice by slice; counts its handler calls. */
export interface Runner {
  readonly run: (deliveries: ReadonlyArray<Delivery>) => Promise<void>
  readonly handled: () => number
}

/** A distinct, realistic message event, encrypted and signed like the platform sends it. */
export const delivery = (i: number): Delivery => {
  const plain = JSON.stringify({
    schema: "2.0",
    header: {
      event_id: randomUUID().replaceAll("-", ""),
      event_type: "im.message.receive_v1",
      create_time: String(1_700_000_000_000 + i),
      token: TOKEN,
      app_id: "cli_bench",
      tenant_key: "tk_bench"
    },
    event: {
      sender: { sender_id: { open_id: `ou_${i}`, union_id: `on_${i}`, user_id: `u${i}` }, sender_type: "user", tenant_key: "tk_bench" },
      message: {
        message_id: `om_${i}`,
        create_time: String(1_700_000_000_000 + i),
        chat_id: "oc_bench",
        chat_type: "group",
        message_type: "text",
        content: JSON.stringify({ text: `hello number ${i}, how are you today?` }),
        mentions: []
      }
    }
  })
  const rawBody = Buffer.from(JSON.stringify({ encrypt: Crypto.encrypt(KEY, plain) }))
  const timestamp = String(1_700_000_000 + i)
  const nonce = `nonce${i}`
  return {
    rawBody,
    headers: {
      "content-type": "application/json",
      "x-lark-request-timestamp": timestamp,
      "x-lark-request-nonce": nonce,
      "x-lark-signature": Crypto.signature(timestamp, nonce, KEY, rawBody)
    }
  }
}

const feed = async (runner: Runner, deliveries: ReadonlyArray<Delivery>) => {
  for (let at = 0; at < deliveries.length; at += SLICE) await runner.run(deliveries.slice(at, at + SLICE))
}

export const runSide = async (runner: Runner) => {
  const all = Array.from({ length: WARMUP + EVENTS }, (_, i) => delivery(i))
  await feed(runner, all.slice(0, WARMUP))
  const start = performance.now()
  const cpuAtStart = process.cpuUsage()
  await feed(runner, all.slice(WARMUP))
  const cpu = process.cpuUsage(cpuAtStart)
  const seconds = (performance.now() - start) / 1000
  if (runner.handled() !== all.length) throw new Error(`handled ${runner.handled()} of ${all.length} events`)
  answer({ eventsPerSecond: EVENTS / seconds, eventsPerCpuSecond: EVENTS / ((cpu.user + cpu.system) / 1e6) })
  // exit once the answer is written (a pipe may be asynchronous), whatever timers a side left behind
  process.stdout.write("", () => process.exit(0))
}
