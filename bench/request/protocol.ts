/**
 * What the bench processes share: the app, the message sent, and the IPC messages.
 */
import { defaultApp } from "../../src/testing/fakeApps.js"

export const CONCURRENCY = 64

/** Measured calls per client (warm-up not included). */
export const CALLS = Number(process.env["BENCH_CALLS"] ?? 5000)
if (!Number.isInteger(CALLS) || CALLS < 1) throw new Error(`BENCH_CALLS must be a positive integer, got ${CALLS}`)

/** The app the fake platform knows by default. */
export const APP = defaultApp

export const MESSAGE = {
  params: { receive_id_type: "chat_id" },
  data: { receive_id: "oc_bench", msg_type: "text", content: JSON.stringify({ text: "hi" }) }
} as const

export const CLIENTS = [
  "lark-effect",
  "lark-effect-http",
  "platform-undici",
  "platform-node-http",
  "platform-fetch",
  "wrapped-undici",
  "node-sdk",
  "undici",
  "node-http",
  "platform-bare"
] as const
export type ClientName = (typeof CLIENTS)[number]

/** One client call; rejects unless the platform created the message. */
export type Call = () => Promise<void>

/** runner → server */
export type ServerRequest = "reset" | "tokenFetches"

/** server → runner */
export type ServerMessage =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "reset" }
  | { readonly type: "tokenFetches"; readonly count: number }

/** client → runner */
export interface ClientResult {
  readonly callsPerSecond: number
  readonly cpuMicrosPerCall: number
  /** Peak RSS over the warm-up and the timed calls. */
  readonly peakRssMiB: number
  /** Heap bytes allocated per call, garbage included, in KiB (V8's sampling heap profiler, after the timed calls). */
  readonly allocatedKiBPerCall: number
}
