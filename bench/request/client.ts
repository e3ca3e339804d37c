/**
 * One client in its own process: `client.ts <name> <url>`. Warms up, measures `CALLS` calls at
 * `CONCURRENCY` (time and CPU), then `ALLOCATION_CALLS` more under V8's sampling heap profiler (bytes
 * allocated, garbage included: apart from the timed calls, so that the profiler's cost is not in the CPU
 * figure), and sends a `ClientResult` to the runner.
 */
import { Session } from "node:inspector/promises"
import { drive } from "./drive.js"
import { CALLS, type Call, CLIENTS, type ClientName, type ClientResult } from "./protocol.js"

const WARM_UP = 2000
/** Calls whose allocations are sampled: about 50 MB at 25 KB a call, some 13,000 samples. */
const ALLOCATION_CALLS = 2000
/** Bytes between samples on average (V8 scales each sample by its odds, so the sum estimates every byte). */
const SAMPLING_INTERVAL = 4096

type Make = (url: string) => Promise<Call>

const makers: Record<ClientName, () => Promise<Make>> = {
  "lark-effect": async () => (await import("./clients/lark-effect.js")).make,
  "lark-effect-http": async () => (await import("./clients/lark-effect-http.js")).make,
  "platform-undici": async () => (await import("./clients/platform.js")).undici,
  "platform-node-http": async () => (await import("./clients/platform.js")).nodeHttp,
  "platform-fetch": async () => (await import("./clients/platform.js")).fetch,
  "wrapped-undici": async () => (await import("./clients/platform.js")).wrapped,
  "node-sdk": async () => (await import("./clients/node-sdk.js")).make,
  "undici": async () => (await import("./clients/undici.js")).make,
  "node-http": async () => (await import("./clients/nodeHttp.js")).make,
  "platform-bare": async () => (await import("./clients/platform.js")).bare
}

interface SampledNode {
  readonly selfSize: number
  readonly children: ReadonlyArray<SampledNode>
}

const sampledBytes = (node: SampledNode): number =>
  node.children.reduce((sum, child) => sum + sampledBytes(child), node.selfSize)

/** Bytes allocated per call over `calls` calls, objects the garbage collector already freed included. */
const allocatedPerCall = async (call: Call, calls: number): Promise<number> => {
  const session = new Session()
  session.connect()
  try {
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true
    })
    await drive(call, calls)
    const { profile } = await session.post("HeapProfiler.stopSampling")
    return sampledBytes(profile.head) / calls
  } finally {
    session.disconnect()
  }
}

const measure = async (call: Call): Promise<ClientResult> => {
  await drive(call, WARM_UP)
  const cpu = process.cpuUsage()
  const start = performance.now()
  await drive(call, CALLS)
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  return {
    callsPerSecond: CALLS / seconds,
    cpuMicrosPerCall: (used.user + used.system) / CALLS,
    peakRssMiB,
    allocatedKiBPerCall: await allocatedPerCall(call, ALLOCATION_CALLS) / 1024
  }
}

const [name, url] = process.argv.slice(2)
if (!CLIENTS.includes(name as ClientName) || url === undefined) {
  throw new Error(`usage: client.ts <${CLIENTS.join("|")}> <url>`)
}
if (process.send === undefined) throw new Error("client.ts must be started by run.ts (it needs an IPC channel)")

try {
  const result = await measure(await (await makers[name as ClientName]())(url))
  // exit at once: keep-alive sockets and pools would otherwise hold the process open
  process.send(result, () => process.exit(0))
} catch (error) {
  console.error(`client ${name}: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
