import { execFileSync } from "node:child_process"
import { node22 } from "../../scripts/edition.js"
import type { Mode } from "./bundle.js"

/**
 * The editions a benchmark measures: `BENCH_EDITIONS` (comma-separated: `effect3`, `effect4`), default both. The
 * Effect 4 edition (docs/effect4.md) runs as installed (`effect4` mode of `bundle.ts`) on Node 22 (`node22()`),
 * against node-sdk on the same Node.
 */
export type Edition = "effect3" | "effect4"

const isEdition = (name: string): name is Edition => name === "effect3" || name === "effect4"

export const EDITIONS: ReadonlyArray<Edition> = (process.env["BENCH_EDITIONS"] ?? "effect3,effect4").split(",").map((name) => {
  const edition = name.trim()
  if (!isEdition(edition)) throw new Error(`BENCH_EDITIONS: no edition ${edition}`)
  return edition
})

/** The Node a build of `mode` runs on: Node 22 for the Effect 4 edition (`node22()`), this one otherwise. */
export const nodeFor = (mode: Mode): string => (mode === "effect4" ? node22() : process.execPath)

/** How a build of `mode` is named in a report: `dist`, `bundle` or `Effect 4`. */
export const modeLabel = (mode: Mode): string => (mode === "effect4" ? "Effect 4" : mode)

/**
 * Where node-sdk runs besides this Node, as the Effect 4 edition's baseline: Node 22 when the edition is measured
 * and this Node is another (each side is compared with node-sdk on its own Node); else nowhere.
 */
export const effect4BaselineNodes = (): ReadonlyArray<string> =>
  EDITIONS.includes("effect4") && node22() !== process.execPath ? [node22()] : []

/** `node --version` of `node`, without a process for this one. */
export const versionOf = (node: string): string =>
  node === process.execPath ? process.version : execFileSync(node, ["--version"], { encoding: "utf8" }).trim()
