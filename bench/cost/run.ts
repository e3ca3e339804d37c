/**
 * `npm run bench:cost`: what the generated API surface costs. Type-check time (the project; a consumer of one
 * service), cold start of a process that sends one im.v1.message.create to the fake platform (in a separate
 * process) against node-sdk and the Effect floor, and bundle sizes. Prints tables, then the figures as JSON on
 * the last line. Figures only: the issue's targets are reported, never asserted.
 * `BENCH_COST_RUNS` (default 5): cold starts per program, after one warm-up.
 *
 * The Effect 4 edition (docs/effect4.md; `BENCH_EDITIONS`, `../shared/editions.ts`) is measured the same way
 * but for the type checks: its package modules built into a workspace of its own, the programs' imports
 * respelled as its (`workspace.ts`), cold starts on Node 22 against node-sdk on Node 22.
 */
import { fork } from "node:child_process"
import { createRequire } from "node:module"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { ServerMessage } from "../request/protocol.js"
import { type Edition, EDITIONS, nodeFor, versionOf } from "../shared/editions.js"
import { type Bundle, bundle } from "./bundle.js"
import { coldStarts, rssSource, type Start } from "./coldstart.js"
import { type Check, checkConsumer, checkProject, CONSUMERS } from "./typecheck.js"
import * as Workspace from "./workspace.js"

const RUNS = Number(process.env["BENCH_COST_RUNS"] ?? 5)
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_COST_RUNS must be a positive integer, got ${RUNS}`)
const CHECK_RUNS = 3
const BUNDLE_TARGET_BYTES = 400_000

/** Bundled by esbuild; an entry is a program in the workspace or a package, resolved from the workspace. */
const BUNDLES = {
  im: { label: "lark-effect, one message (lark-effect/im)", entry: "./lark-effect.mjs", format: "esm" },
  resource: { label: "lark-effect, one message (lark-effect/im/v1/message)", entry: "./lark-effect-resource.mjs", format: "esm" },
  light: { label: "lark-effect, one message (im/v1/message, fetch)", entry: "./lark-effect-light.mjs", format: "esm" },
  http: { label: "lark-effect, one message (im/v1/message, node:http)", entry: "./lark-effect-http.mjs", format: "esm" },
  imHttp: { label: "lark-effect, one message (lark-effect/im, node:http)", entry: "./lark-effect-im-http.mjs", format: "esm" },
  floor: { label: "floor (Effect runtime + undici HttpClient)", entry: "./floor.mjs", format: "esm" },
  nodeSdk: { label: "@larksuiteoapi/node-sdk entry", entry: "@larksuiteoapi/node-sdk", format: "cjs" }
} as const
type BundleKey = keyof typeof BUNDLES

const bundleFile = (key: BundleKey) => `${key}.bundle.${BUNDLES[key].format === "esm" ? "mjs" : "cjs"}`

const STARTS = {
  floor: "floor, unbundled (deep imports)",
  floorBarrel: "floor, unbundled (index imports)",
  floorBundled: "floor, bundled",
  unbundled: "lark-effect, unbundled (lark-effect/im)",
  unbundledResource: "lark-effect, unbundled (lark-effect/im/v1/message)",
  bundled: "lark-effect, bundled (lark-effect/im)",
  unbundledLight: "lark-effect, unbundled (im/v1/message, fetch)",
  bundledLight: "lark-effect, bundled (im/v1/message, fetch)",
  unbundledHttp: "lark-effect, unbundled (im/v1/message, node:http)",
  bundledHttp: "lark-effect, bundled (im/v1/message, node:http)",
  unbundledImHttp: "lark-effect, unbundled (lark-effect/im, node:http)",
  bundledImHttp: "lark-effect, bundled (lark-effect/im, node:http)",
  nodeSdkClient: "node-sdk, require + new Client",
  nodeSdk: "node-sdk, require + new Client + message"
} as const
type StartKey = keyof typeof STARTS

/** What the Effect 4 edition runs: all but the floor through the indexes (`@effect/platform` has no Effect 4 twin). */
type Effect4StartKey = Exclude<StartKey, "floorBarrel">
const EFFECT4_STARTS = Object.fromEntries(Object.entries(STARTS).filter(([key]) => key !== "floorBarrel")) as Record<Effect4StartKey, string>

/** Node arguments of each cold-start program, run in the workspace. */
const programs = (url: string): Record<StartKey, ReadonlyArray<string>> => ({
  floor: ["floor.mjs"],
  floorBarrel: ["floor-barrel.mjs"],
  floorBundled: [bundleFile("floor")],
  unbundled: ["lark-effect.mjs", url],
  unbundledResource: ["lark-effect-resource.mjs", url],
  bundled: [bundleFile("im"), url],
  unbundledLight: ["lark-effect-light.mjs", url],
  bundledLight: [bundleFile("light"), url],
  unbundledHttp: ["lark-effect-http.mjs", url],
  bundledHttp: [bundleFile("http"), url],
  unbundledImHttp: ["lark-effect-im-http.mjs", url],
  bundledImHttp: [bundleFile("imHttp"), url],
  nodeSdkClient: ["node-sdk.cjs", url, "client-only"],
  nodeSdk: ["node-sdk.cjs", url]
})

/** `Object.entries`, keeping the key type. */
const entries = <K extends string, V>(record: Record<K, V>) => Object.entries(record) as Array<[K, V]>

/** The fake Open Platform in its own process (bench/request/server.ts) for the length of `use`. */
const withPlatform = async <A>(use: (url: string) => Promise<A>): Promise<A> => {
  const server = fork(fileURLToPath(new URL("../request/server.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.once("message", (message: ServerMessage) => message.type === "ready" && resolve(message.url))
      server.once("exit", (code) => reject(new Error(`the fake platform exited (code ${code}) before it was ready`)))
    })
    return await use(url)
  } finally {
    server.kill()
  }
}

const typeChecks = async (workspace: string): Promise<Record<string, Check>> => {
  const checks: Record<string, Check> = { "tsc --noEmit -p tsconfig.json (project)": await checkProject() }
  for (const [label, source] of Object.entries(CONSUMERS)) {
    checks[label] = await checkConsumer(workspace, label, source, CHECK_RUNS)
  }
  return checks
}

const bundles = async (workspace: string): Promise<Record<BundleKey, Bundle>> => {
  const resolve = createRequire(join(workspace, "package.json")).resolve
  const result = {} as Record<BundleKey, Bundle>
  for (const [key, { entry, format }] of entries(BUNDLES)) {
    result[key] = await bundle(resolve(entry), join(workspace, bundleFile(key)), format)
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------
// printing

/** A table: first column left-aligned, the others right-aligned, each as wide as its widest cell. */
const table = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  for (const row of rows) {
    console.log(row.map((cell, column) => column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]! + 3)).join(""))
  }
  console.log()
}

const bytes = (value: number) => value.toLocaleString("en-US")
const seconds = (value: number) => value.toFixed(3)
const mib = (value: number) => value.toFixed(1)
const verdict = (met: boolean) => met ? "met" : "missed"
const percentOver = (value: number, base: number) => `${value >= base ? "+" : ""}${((value / base - 1) * 100).toFixed(0)}%`

/** What the one-message bundle holds, by origin, next to the floor's bundle. */
const printParts = (oneMessage: Bundle, floor: Bundle) => {
  const inFloor = new Map(floor.parts.map((part) => [part.name, part]))
  table([
    ["One-message bundle, by origin", "bytes", "files", "floor bytes", "floor files"],
    ...oneMessage.parts.map((part) => [part.name, bytes(part.bytes), String(part.files),
      bytes(inFloor.get(part.name)?.bytes ?? 0), String(inFloor.get(part.name)?.files ?? 0)])
  ])
}

/** The same cold-start targets met with `lark-effect/layers/http` instead of the default (undici) wiring. */
const nodeHttpTargets = ({ bundledImHttp, unbundledImHttp, nodeSdk, floor }: Record<Effect4StartKey, Start>) => [
  ["node:http wiring, bundled ≤ node-sdk: wall", `${seconds(bundledImHttp.seconds)} s`, `${seconds(nodeSdk.seconds)} s`,
    percentOver(bundledImHttp.seconds, nodeSdk.seconds), verdict(bundledImHttp.seconds <= nodeSdk.seconds)],
  ["node:http wiring, bundled ≤ node-sdk: peak RSS", `${mib(bundledImHttp.rssMiB)} MiB`, `${mib(nodeSdk.rssMiB)} MiB`,
    percentOver(bundledImHttp.rssMiB, nodeSdk.rssMiB), verdict(bundledImHttp.rssMiB <= nodeSdk.rssMiB)],
  ["node:http wiring, unbundled within 20% of the floor: wall", `${seconds(unbundledImHttp.seconds)} s`, `${seconds(floor.seconds)} s`,
    percentOver(unbundledImHttp.seconds, floor.seconds), verdict(unbundledImHttp.seconds <= floor.seconds * 1.2)],
  ["node:http wiring, unbundled within 20% of the floor: peak RSS", `${mib(unbundledImHttp.rssMiB)} MiB`, `${mib(floor.rssMiB)} MiB`,
    percentOver(unbundledImHttp.rssMiB, floor.rssMiB), verdict(unbundledImHttp.rssMiB <= floor.rssMiB * 1.2)]
]

const printTargets = (starts: Record<Effect4StartKey, Start>, oneMessage: Bundle) => {
  const { bundled, unbundled, nodeSdk, floor } = starts
  table([
    ["Target (issue, deliverable 7)", "measured", "against", "", ""],
    ["bundled cold start ≤ node-sdk: wall", `${seconds(bundled.seconds)} s`, `${seconds(nodeSdk.seconds)} s`,
      percentOver(bundled.seconds, nodeSdk.seconds), verdict(bundled.seconds <= nodeSdk.seconds)],
    ["bundled cold start ≤ node-sdk: peak RSS", `${mib(bundled.rssMiB)} MiB`, `${mib(nodeSdk.rssMiB)} MiB`,
      percentOver(bundled.rssMiB, nodeSdk.rssMiB), verdict(bundled.rssMiB <= nodeSdk.rssMiB)],
    ["unbundled within 20% of the floor: wall", `${seconds(unbundled.seconds)} s`, `${seconds(floor.seconds)} s`,
      percentOver(unbundled.seconds, floor.seconds), verdict(unbundled.seconds <= floor.seconds * 1.2)],
    ["unbundled within 20% of the floor: peak RSS", `${mib(unbundled.rssMiB)} MiB`, `${mib(floor.rssMiB)} MiB`,
      percentOver(unbundled.rssMiB, floor.rssMiB), verdict(unbundled.rssMiB <= floor.rssMiB * 1.2)],
    ["one-message bundle ≤ 400 KB minified", `${bytes(oneMessage.bytes)} B`, `${bytes(BUNDLE_TARGET_BYTES)} B`,
      percentOver(oneMessage.bytes, BUNDLE_TARGET_BYTES), verdict(oneMessage.bytes <= BUNDLE_TARGET_BYTES)],
    ...nodeHttpTargets(starts)
  ])
}

const print = (
  checks: Record<string, Check>,
  buildSeconds: number,
  sizes: Record<BundleKey, Bundle>,
  starts: Record<StartKey, Start>
) => {
  console.log(`What the generated surface costs (node ${process.version}, ${availableParallelism()} cores; ` +
    `cold starts: median of ${RUNS}, peak RSS from ${rssSource}; consumer checks: median of ${CHECK_RUNS})\n`)
  table([
    ["Type check / build", "wall s", "files", "memory MiB"],
    ...Object.entries(checks).map(([label, check]) => [label, seconds(check.seconds), String(check.files), mib(check.memoryMiB)]),
    ["build: tsc -p tsconfig.build.json", seconds(buildSeconds), "", ""]
  ])
  printMeasured("", STARTS, starts, sizes)
}

/** The cold starts (`labels` name them) and bundles of an edition, what its one-message bundle holds, and the targets. */
const printMeasured = (
  edition: string,
  labels: Partial<Record<StartKey, string>>,
  starts: Record<Effect4StartKey, Start> & Partial<Record<StartKey, Start>>,
  sizes: Record<BundleKey, Bundle>
) => {
  table([
    [`Cold start (whole process)${edition}`, "wall s", "peak RSS MiB"],
    ...(Object.entries(labels) as Array<[StartKey, string]>).flatMap(([key, label]) => {
      const start = starts[key]
      return start === undefined ? [] : [[label, seconds(start.seconds), mib(start.rssMiB)]]
    })
  ])
  table([
    [`Bundle (esbuild, minified, platform node)${edition}`, "bytes", "gzip bytes"],
    ...entries(BUNDLES).map(([key, { label }]) => [label, bytes(sizes[key].bytes), bytes(sizes[key].gzipBytes)])
  ])
  printParts(sizes.im, sizes.floor)
  table([["Its biggest inputs", "bytes"], ...sizes.im.biggest.map((input) => [input.name, bytes(input.bytes)])])
  printTargets(starts, sizes.im)
}

const bundleFigures = (sizes: Record<BundleKey, Bundle>) =>
  Object.fromEntries(entries(sizes).map(([key, size]) => [key, { bytes: size.bytes, gzipBytes: size.gzipBytes }]))

const effect3 = async (workspace: string) => {
  const checks = await typeChecks(workspace)
  const buildSeconds = await Workspace.buildPackage(workspace)
  const sizes = await bundles(workspace)
  const starts = await withPlatform((url) => coldStarts(workspace, programs(url), RUNS))
  print(checks, buildSeconds, sizes, starts)
  return { node: process.version, checks, buildSeconds, coldStarts: starts, bundles: bundleFigures(sizes) }
}

/** The Effect 4 edition: its build, bundles and cold starts (on Node 22), with the same tables but the type checks. */
const effect4 = async (workspace: string) => {
  const node = nodeFor("effect4")
  const buildSeconds = await Workspace.buildPackage(workspace, "effect4")
  const sizes = await bundles(workspace)
  const starts = await withPlatform((url) => {
    const all = programs(url)
    const chosen = Object.fromEntries(Object.keys(EFFECT4_STARTS).map((key) => [key, all[key as Effect4StartKey]]))
    return coldStarts(workspace, chosen as Record<Effect4StartKey, ReadonlyArray<string>>, RUNS, node)
  })
  const version = versionOf(node)
  console.log(`Effect 4 edition (node ${version}; build: its package modules, ${seconds(buildSeconds)} s)\n`)
  printMeasured(", Effect 4 edition", EFFECT4_STARTS, starts, sizes)
  return { node: version, buildSeconds, coldStarts: starts, bundles: bundleFigures(sizes) }
}

/** Runs `measure` in a new workspace for `edition`, removed afterwards. */
const inWorkspace = async <A>(edition: Edition, measure: (workspace: string) => Promise<A>): Promise<A> => {
  const workspace = await Workspace.make(edition)
  try {
    return await measure(workspace)
  } finally {
    await Workspace.remove(workspace)
  }
}

try {
  const figures = {
    runs: RUNS,
    rssSource,
    ...(EDITIONS.includes("effect3") ? { effect3: await inWorkspace("effect3", effect3) } : {}),
    ...(EDITIONS.includes("effect4") ? { effect4: await inWorkspace("effect4", effect4) } : {})
  }
  console.log(JSON.stringify(figures))
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
