/**
 * The client side of the channel benchmark: one channel under test in this process, its message handler
 * instrumented by a `Probe`, driven by one-line commands on stdin (one JSON line answered on stdout each).
 * Arguments: the fake platform's URL and the transport (`ws` or `webhook`).
 *
 * - first line out: `{ ready: true, webhook? }` once the channel is connected; on the webhook transport,
 *   `webhook` is the URL of the loopback node:http server the channel's webhook is mounted on;
 * - `expect <n>`: answers `{ ok }` at once, then `{ at }` (epoch milliseconds) when the handler has been
 *   called `n` more times;
 * - `cpu`: the process's CPU milliseconds (user + system) since the last `expect`;
 * - `reply on|off`: whether the handler replies to each message (with text, through the channel);
 * - `quit`: exits (so that `node --cpu-prof` writes its profile).
 */
import { createServer, type RequestListener } from "node:http"
import type { AddressInfo } from "node:net"
import { createInterface } from "node:readline"
import { answer } from "../shared/lineProcess.js"

export type Transport = "ws" | "webhook"

/** What a handler under test calls first for every message; `true`: reply to it. */
export interface Probe {
  readonly onMessage: () => boolean
}

/** The path the channel's webhook is mounted on. */
export const WEBHOOK_PATH = "/lark/events"

/**
 * Connects a channel to the fake platform at `url` whose message handler calls `probe.onMessage`; on the
 * webhook transport, answers the URL its webhook listens on (`serveWebhook`).
 */
export type StartChannel = (url: string, transport: Transport, probe: Probe) => Promise<string | undefined>

/** Serves `listener` on a loopback port, as a bot's node:http server would; answers its webhook URL. */
export const serveWebhook = (listener: RequestListener): Promise<string> =>
  new Promise((listening) => {
    const server = createServer({ keepAliveTimeout: 60_000 }, listener)
    server.listen(0, "127.0.0.1", () =>
      listening(`http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`))
  })

export const runClient = async (start: StartChannel) => {
  const transport = process.argv[3] === "webhook" ? "webhook" : "ws"
  let replying = false
  let seen = 0
  let target = Number.POSITIVE_INFINITY
  let cpuSince = process.cpuUsage()
  const probe: Probe = {
    onMessage: () => {
      if (++seen === target) answer({ at: performance.timeOrigin + performance.now() })
      return replying
    }
  }
  const webhook = await start(process.argv[2]!, transport, probe)
  answer({ ready: true, webhook })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(/\s+/)
    if (command === "expect") {
      seen = 0
      target = Number(arg)
      cpuSince = process.cpuUsage()
      answer({ ok: true })
    } else if (command === "cpu") {
      const cpu = process.cpuUsage(cpuSince)
      answer({ cpuMs: (cpu.user + cpu.system) / 1000 })
    } else if (command === "reply") {
      replying = arg === "on"
      answer({ ok: true })
    } else if (command === "quit") {
      process.exit(0)
    }
  }
}
