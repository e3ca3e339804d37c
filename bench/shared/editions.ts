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
