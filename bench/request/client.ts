/**
 * One client in its own process: `client.ts <name> <url>`. Warms up, measures `CALLS` calls at
 * `CONCURRENCY`, and sends a `ClientResult` to the runner.
 */
import { drive } from "./drive.js"
import { CALLS, type Call, CLIENTS, type ClientName, type ClientResult } from "./protocol.js"

const WARM_UP = 2000

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
  "platform-bare": async () => (await import("./clients/platform.js")).bare
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
  const result = await measure(await (await makers[name as ClientName]())(url))
  // exit at once: keep-alive sockets and pools would otherwise hold the process open
  process.send(result, () => process.exit(0))
} catch (error) {
  console.error(`client ${name}: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
