/**
 * One client in its own process: `client.ts <name> <url>`. Warms up, measures `CALLS` calls at
 * `CONCURRENCY`, and sends a `ClientResult` to the runner.
 */
import { CALLS, type Call, CLIENTS, CONCURRENCY, type ClientName, type ClientResult } from "./protocol.js"

const WARM_UP = 2000

const makers: Record<ClientName, () => Promise<{ make: (url: string) => Promise<Call> }>> = {
  "lark-effect": () => import("./clients/lark-effect.js"),
  "lark-effect-http": () => import("./clients/lark-effect-http.js"),
  "node-sdk": () => import("./clients/node-sdk.js"),
  "undici": () => import("./clients/undici.js")
}

/** Runs `calls` calls with at most `CONCURRENCY` in flight. */
const drive = async (call: Call, calls: number) => {
  let started = 0
  const worker = async () => {
    while (started < calls) {
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, calls) }, worker))
}

const measure = async (call: Call): Promise<ClientResult> => {
  await drive(call, WARM_UP)
  const cpu = process.cpuUsage()
  const start = performance.now()
  await drive(call, CALLS)
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  return {
    callsPerSecond: CALLS / seconds,
    cpuMicrosPerCall: (used.user + used.system) / CALLS,
    peakRssMiB: process.resourceUsage().maxRSS / 1024
  }
}

const [name, url] = process.argv.slice(2)
if (!CLIENTS.includes(name as ClientName) || url === undefined) {
  throw new Error(`usage: client.ts <${CLIENTS.join("|")}> <url>`)
}
if (process.send === undefined) throw new Error("client.ts must be started by run.ts (it needs an IPC channel)")

try {
  const result = await measure(await (await makers[name as ClientName]()).make(url))
  // exit at once: keep-alive sockets and pools would otherwise hold the process open
  process.send(result, () => process.exit(0))
} catch (error) {
  console.error(`client ${name}: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
