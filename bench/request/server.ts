/**
 * The fake Open Platform in its own process: reports its URL over IPC, then answers `reset` and
 * `tokenFetches`. Exits when the runner disconnects.
 */
import { ManagedRuntime } from "effect"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import type { ServerMessage, ServerRequest } from "./protocol.js"

if (process.send === undefined) throw new Error("server.ts must be started by run.ts (it needs an IPC channel)")
const reply = (message: ServerMessage) => process.send!(message)

const runtime = ManagedRuntime.make(fakeOpenPlatform())
const fake = await runtime.runPromise(FakeOpenPlatform)

process.on("message", async (request: ServerRequest) => {
  if (request === "reset") {
    await runtime.runPromise(fake.reset)
    reply({ type: "reset" })
  } else {
    reply({ type: "tokenFetches", count: await runtime.runPromise(fake.tokenFetches) })
  }
})
process.on("disconnect", () => void runtime.dispose().finally(() => process.exit(0)))

reply({ type: "ready", url: fake.url })
