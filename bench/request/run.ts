/**
 * `npm run bench`: im.v1.message.create at concurrency 64 (`BENCH_CALLS` calls, default 5000) for each
 * client, each in a fresh process, against the fake platform in another process (CPU per call, and then heap
 * bytes allocated per call, garbage included, over 2,000 more: `client.ts`). Every client runs under
 * plain node: lark-effect as an installed package runs (the built `dist/`, unbundled: the headline) and as an
 * esbuild bundle (`../shared/bundle.ts`), beside node-sdk, a bare `undici.request` and a bare `node:http` request
 * on a keep-alive agent (the floors of the two wirings); then lark-effect on
 * `@effect/platform` clients a user provides, and that platform client alone (`platform-bare`: the floor of
 * lark-effect on it). The Effect 4 edition (docs/effect4.md) runs too, installed-package style (`effect4` mode of
 * `../shared/bundle.ts`) on Node 22, against node-sdk on the same Node. `BENCH_ROUNDS` rounds (default 3), the
 * order rotating; `BENCH_CLIENTS` picks clients (node-sdk always runs); `BENCH_EDITIONS=effect3` leaves the
 * Effect 4 edition out. Every run is printed, then the median per client (each against node-sdk on its Node)
 * and the figures as JSON on the last line. Exits non-zero if any process fails.
 */
import { type ChildProcess, fork } from "node:child_process"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { buildForBench } from "../shared/bundle.js"
import { EDITIONS, effect4BaselineNodes, nodeFor, versionOf } from "../shared/editions.js"
import { inRound, ROUNDS } from "../shared/rounds.js"
import { median } from "../shared/stats.js"
import { CALLS, CLIENTS, CONCURRENCY, type ClientName, type ClientResult, type ServerMessage, type ServerRequest } from "./protocol.js"

const LABELS: Record<ClientName, string> = {
  "lark-effect": "lark-effect (layers, undici)",
  "lark-effect-http": "lark-effect (layers/http, node:http)",
  "platform-undici": "lark-effect + NodeHttpClient.layerUndici",
  "platform-node-http": "lark-effect + NodeHttpClient.layer",
  "platform-fetch": "lark-effect + FetchHttpClient.layer",
  "wrapped-undici": "lark-effect + mapRequest over layers' client",
  "node-sdk": "@larksuiteoapi/node-sdk",
  "undici": "undici.request (floor)",
  "node-http": "node:http request (floor)",
  "platform-bare": "NodeHttpClient.layerUndici alone (floor)"
}

/** `BENCH_CLIENTS` (comma-separated client names): only these run, with node-sdk always; default all. */
const SELECTED: ReadonlyArray<ClientName> = process.env["BENCH_CLIENTS"] === undefined
  ? CLIENTS
  : ["node-sdk", ...process.env["BENCH_CLIENTS"].split(",").map((name) => {
    if (!CLIENTS.includes(name.trim() as ClientName)) throw new Error(`BENCH_CLIENTS: no client ${name}`)
    return name.trim() as ClientName
  })]

/** lark-effect's own wirings, which run bundled as well. */
const WIRINGS: ReadonlyArray<ClientName> = ["lark-effect", "lark-effect-http"]

/**
 * What runs on the Effect 4 edition too: its wirings, the generic path on the platform's undici, and the floors
 * (the platform's undici client alone; `undici.request` on the edition's undici and a bare node:http request, on
 * the edition's Node).
 */
const ON_EFFECT4: ReadonlyArray<ClientName> = [...WIRINGS, "platform-undici", "platform-bare", "undici", "node-http"]

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Starts `script` on `node`: a `.ts` file under tsx, a build under plain node. */
const start = (script: string, args: ReadonlyArray<string> = [], node = process.execPath) =>
  fork(script, args, { execPath: node, execArgv: script.endsWith(".ts") ? ["--import", "tsx"] : [] })

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

const runClient = async ({ name, node, script }: Run, url: string): Promise<ClientResult> => {
  const child = start(script, [name, url], node)
  const result = await receive(child, `client ${name}`, (message) => message as ClientResult)
  await new Promise((resolve) => child.exitCode === null ? child.once("exit", resolve) : resolve(undefined))
  return result
}

const fixed = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width)

interface Run {
  readonly label: string
  readonly script: string
  readonly name: ClientName
  /** The Node it runs on; its figures are compared with node-sdk's on the same Node. */
  readonly node: string
}

type Row = ClientResult & { readonly tokenFetches: number }

const main = async (server: ChildProcess) => {
  const { url } = await serverAnswer(server, "ready")
  const dist = await buildForBench(here("./client.ts"), "request-client", "dist")
  const node = process.execPath
  const effect3: ReadonlyArray<Run> = EDITIONS.includes("effect3") || !EDITIONS.includes("effect4")
    ? [
      ...WIRINGS.map((name) => ({ label: `${LABELS[name]}, dist`, script: dist, name, node })),
      ...await buildForBench(here("./client.ts"), "request-client", "bundle", ["@larksuiteoapi/node-sdk"]).then((bundle) =>
        WIRINGS.map((name) => ({ label: `${LABELS[name]}, bundle`, script: bundle, name, node }))
      ),
      ...CLIENTS.filter((name) => !WIRINGS.includes(name)).map((name) => ({ label: LABELS[name], script: dist, name, node }))
    ]
    : [{ label: LABELS["node-sdk"], script: dist, name: "node-sdk", node }]
  const effect4: ReadonlyArray<Run> = EDITIONS.includes("effect4")
    ? await buildForBench(here("./client.ts"), "request-client", "effect4").then((script) => [
      ...ON_EFFECT4.map((name) => ({ label: `${LABELS[name]}, Effect 4`, script, name, node: nodeFor("effect4") })),
      ...effect4BaselineNodes().map((on) => ({ label: `${LABELS["node-sdk"]}, Node 22`, script: dist, name: "node-sdk" as const, node: on }))
    ])
    : []
  const runs = [...effect3, ...effect4].filter((run) => SELECTED.includes(run.name))
  const rows = new Map<string, Array<Row>>(runs.map((run) => [run.label, []]))
  const width = Math.max(...runs.map((run) => run.label.length)) + 5
  const line = (label: string, row: Row, versus: string) =>
    label.padEnd(width) + fixed(row.callsPerSecond, 0, 7) + fixed(row.cpuMicrosPerCall, 0, 12) + versus.padStart(12) +
    String(row.tokenFetches).padStart(8) + fixed(row.peakRssMiB, 1, 10) + fixed(row.allocatedKiBPerCall, 1, 10)
  const header = `${"".padEnd(width)}calls/s  CPU µs/call  vs node-sdk  tokens  RSS MiB  KiB/call`

  console.log(`im.v1.message.create, ${CALLS} calls, concurrency ${CONCURRENCY}, fake platform in a separate process, ` +
    `${ROUNDS} rounds (node ${[...new Set(runs.map((run) => versionOf(run.node)))].join(" and ")}, ${availableParallelism()} cores)`)
  console.log(header)
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of inRound(runs, round)) {
      await ask(server, "reset")
      const result = await runClient(run, url)
      const { count } = await ask(server, "tokenFetches")
      const row = { ...result, tokenFetches: count }
      rows.get(run.label)!.push(row)
      console.log(line(`${round + 1}: ${run.label}`, row, ""))
    }
  }
  const medians = runs.map(({ label, node }) => {
    const of = (figure: (row: Row) => number) => median(rows.get(label)!.map(figure))
    return {
      client: label,
      node,
      callsPerSecond: of((row) => row.callsPerSecond),
      cpuMicrosPerCall: of((row) => row.cpuMicrosPerCall),
      tokenFetches: of((row) => row.tokenFetches),
      peakRssMiB: of((row) => row.peakRssMiB),
      allocatedKiBPerCall: of((row) => row.allocatedKiBPerCall)
    }
  })
  const nodeSdkOn = (node: string) => medians.find((row) => row.node === node && runs.some((run) => run.label === row.client && run.name === "node-sdk"))!
  console.log(`\nmedian of ${ROUNDS} rounds; vs node-sdk (on the same Node): CPU per call, lower is better`)
  console.log(header)
  for (const row of medians) {
    console.log(line(row.client, row, `${(row.cpuMicrosPerCall / nodeSdkOn(row.node).cpuMicrosPerCall).toFixed(2)}x`))
  }
  const results = medians.map(({ node, ...row }) => ({ ...row, node: versionOf(node) }))
  console.log(JSON.stringify({ calls: CALLS, concurrency: CONCURRENCY, rounds: ROUNDS, node: process.version, results }))
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
