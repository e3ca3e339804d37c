/**
 * The client side of the channel benchmark: one channel under test in this process, its message handler
 * instrumented by a `Probe`, driven by one-line commands on stdin (one JSON line answered on stdout each).
 *
 * - first line out: `{ ready: true }` once the channel is connected;
 * - `expect <n>`: answers `{ ok }` at once, then `{ at }` (epoch milliseconds) when the handler has been
 *   called `n` more times;
 * - `cpu`: the process's CPU milliseconds (user + system) since the last `expect`;
 * - `reply on|off`: whether the handler replies to each message (with text, through the channel).
 */
import { createInterface } from "node:readline"
import { answer } from "../shared/lineProcess.js"

/** What a handler under test calls first for every message; `true`: reply to it. */
export interface Probe {
  readonly onMessage: () => boolean
}

/** Connects a channel to the fake platform at `url` whose message handler calls `probe.onMessage`. */
export type StartChannel = (url: string, probe: Probe) => Promise<void>

export const runClient = async (start: StartChannel) => {
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
  await start(process.argv[2]!, probe)
  answer({ ready: true })
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
    }
  }
}
