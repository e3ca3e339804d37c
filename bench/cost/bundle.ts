/**
 * esbuild bundles (minified, platform node) and what they hold, from the metafile.
 */
import { build, type Metafile } from "esbuild"
import { readFile } from "node:fs/promises"
import { gzipSync } from "node:zlib"
import { REQUIRE_SHIM } from "../shared/bundle.js"

export interface Input {
  readonly name: string
  /** Bytes in the bundle. */
  readonly bytes: number
}

export interface Part extends Input {
  readonly files: number
}

export interface Bundle {
  readonly bytes: number
  readonly gzipBytes: number
  /** By origin (package, or the part of lark-effect), biggest first. */
  readonly parts: ReadonlyArray<Part>
  /** The biggest input files. */
  readonly biggest: ReadonlyArray<Input>
}

/** Which part of lark-effect a file of its dist/ is: generated (src/api, schemas/<service>) or the core. */
const larkPart = (file: string) =>
  file.startsWith("dist/src/api/") ? "lark-effect: generated api"
  : file.startsWith("dist/schemas/") && file !== "dist/schemas/common.js" ? "lark-effect: generated schemas"
  : "lark-effect: core"

/** The package an input comes from (lark-effect split in parts), or "program". */
const origin = (input: string) => {
  const match = /^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input)
  if (match === null) return "program"
  return match[1] === "lark-effect" ? larkPart(match[2]!) : match[1]!
}

/** A short name for an input: its path from the last node_modules/. */
const shortName = (input: string) => input.replace(/^.*node_modules\//, "")

const byOrigin = (inputs: Metafile["outputs"][string]["inputs"]): Array<Part> => {
  const parts = new Map<string, { bytes: number; files: number }>()
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const name = origin(input)
    const part = parts.get(name) ?? { bytes: 0, files: 0 }
    parts.set(name, { bytes: part.bytes + bytesInOutput, files: part.files + (bytesInOutput > 0 ? 1 : 0) })
  }
  return [...parts].map(([name, part]) => ({ name, ...part })).sort((a, b) => b.bytes - a.bytes)
}

/** Bundles `entry` into `outfile` (which can then be run) and measures it. */
export const bundle = async (entry: string, outfile: string, format: "esm" | "cjs"): Promise<Bundle> => {
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format,
    platform: "node",
    metafile: true,
    logLevel: "error",
    ...(format === "esm" ? { banner: { js: REQUIRE_SHIM } } : {})
  })
  const output = Object.values(metafile.outputs)[0]!
  const biggest = Object.entries(output.inputs)
    .map(([input, { bytesInOutput }]) => ({ name: shortName(input), bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8)
  return { bytes: output.bytes, gzipBytes: gzipSync(await readFile(outfile)).length, parts: byOrigin(output.inputs), biggest }
}
