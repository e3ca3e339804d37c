/**
 * One long-connection client of `bench/ws` in a process of its own (so that neither client's garbage nor
 * JIT state weighs on the other's figures), driven by one-line commands on stdin:
 *
 * - first line out: `{ ready: true }` once the client has started (argument: the fake server's URL);
 * - `cpu`: the process's CPU milliseconds (user + system) since the last `cpu`.
 */
import { createInterface } from "node:readline"
import { answer } from "../shared/lineProcess.js"

/** Starts a client on the fake server at `url` whose `im.message.receive_v1` handler does nothing. */
export type StartClient = (url: string) => Promise<void>

export const runClient = async (start: StartClient) => {
  await start(process.argv[2]!)
  answer({ ready: true })
  let since = process.cpuUsage()
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "cpu") {
      const cpu = process.cpuUsage(since)
      since = process.cpuUsage()
      answer({ cpuMs: (cpu.user + cpu.system) / 1000 })
    }
  }
}
