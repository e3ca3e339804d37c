/**
 * `npm run bench`: im.v1.message.create at concurrency 64 (`BENCH_CALLS` calls, default 5000) for each
 * client, each in a fresh process, against the fake platform in another process. lark-effect's clients run
 * through tsx and as an esbuild bundle (`../shared/bundle.ts` says why both). Prints a table, then the
 * figures as JSON on the last line. Exits non-zero if any process fails.
 */
import { type ChildProcess, fork } from "node:child_process"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { bundleForBench } from "../shared/bundle.js"
import { CALLS, CLIENTS, CONCURRENCY, type ClientName, type ClientResult, type ServerMessage, type ServerRequest } from "./protocol.js"

const LABELS: Record<ClientName, string> = {
  "lark-effect": "lark-effect",
  "lark-effect-http": "lark-effect (node:http)",
  "node-sdk": "@larksuiteoapi/node-sdk",
  "undici": "undici.request (floor)"
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Starts `script`: a `.ts` file under tsx, a bundle under plain node. */
const start = (script: string, args: ReadonlyArray<string> = []) =>
  fork(script, args, { execArgv: script.endsWith(".ts") ? ["--import", "tsx"] : [] })

/** The first message from `child` that `pick` accepts; rejects if the child exits first. */
const receive = <A>(child: ChildProcess, what: string, pick: (message: unknown) => A | undefined): Promise<A> =>
  new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const value = pick(message)
      if (value === undefined) return
      child.off("exit", onExit).off("message", onMessage)
      resolve(value)
    }
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`${what} exited (${signal ?? `code ${code}`}) before answering`))
    child.on("message", onMessage).once("exit", onExit)
  })

const serverAnswer = <T extends ServerMessage["type"]>(server: ChildProcess, type: T) =>
  receive(server, "the fake platform", (message) =>
    (message as ServerMessage).type === type ? message as Extract<ServerMessage, { type: T }> : undefined)

const ask = <R extends ServerRequest>(server: ChildProcess, request: R) => {
  const answer = serverAnswer(server, request)
  server.send(request)
  return answer
}

const runClient = async (script: string, name: ClientName, url: string): Promise<ClientResult> => {
  const child = start(script, [name, url])
  const result = await receive(child, `client ${name}`, (message) => message as ClientResult)
  await new Promise((resolve) => child.exitCode === null ? child.once("exit", resolve) : resolve(undefined))
  return result
}

const fixed = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width)

const main = async (server: ChildProcess) => {
  const { url } = await serverAnswer(server, "ready")
  const rows: Array<ClientResult & { readonly client: string; readonly tokenFetches: number }> = []
  const bundle = await bundleForBench(here("./client.ts"), "request-client", ["@larksuiteoapi/node-sdk"])
  const runs: ReadonlyArray<readonly [string, ClientName, string]> = [
    ...CLIENTS.map((name) => [here("./client.ts"), name, LABELS[name]] as const),
    ...CLIENTS.filter((name) => name.startsWith("lark-effect")).map((name) => [bundle, name, `${LABELS[name]}, bundle`] as const)
  ]
  for (const [script, name, label] of runs) {
    await ask(server, "reset")
    const result = await runClient(script, name, url)
    const { count } = await ask(server, "tokenFetches")
    rows.push({ client: label, ...result, tokenFetches: count })
  }
  console.log(`im.v1.message.create, ${CALLS} calls, concurrency ${CONCURRENCY}, fake platform in a separate process ` +
    `(node ${process.version}, ${availableParallelism()} cores)`)
  console.log(`${"client".padEnd(32)} calls/s   CPU µs/call   token fetches   peak RSS MiB`)
  for (const row of rows) {
    console.log(row.client.padEnd(32) + fixed(row.callsPerSecond, 0, 7) + fixed(row.cpuMicrosPerCall, 0, 14) +
      String(row.tokenFetches).padStart(16) + fixed(row.peakRssMiB, 1, 15))
  }
  console.log(JSON.stringify({ calls: CALLS, concurrency: CONCURRENCY, node: process.version, results: rows }))
}

const server = start(here("./server.ts"))
try {
  await main(server)
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  server.kill()
}
