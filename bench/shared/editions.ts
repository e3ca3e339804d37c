/**
 * The editions a benchmark measures: `BENCH_EDITIONS` (comma-separated: `effect3`, `effect4`), default both. The
 * Effect 4 edition (docs/effect4.md) runs as installed (`effect4` mode of `bundle.ts`) on Node 22 (`node22()`),
 * against node-sdk on the same Node.
 */
export const EDITIONS = (process.env["BENCH_EDITIONS"] ?? "effect3,effect4").split(",").map((edition) => edition.trim())
for (const edition of EDITIONS) if (edition !== "effect3" && edition !== "effect4") throw new Error(`BENCH_EDITIONS: no edition ${edition}`)
