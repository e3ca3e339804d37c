/**
 * The benchmarks' build helper (`bench/shared/bundle.ts`): a bundle of an entry with a dynamic import is an entry
 * file plus a chunk, which runs under plain node; a rebuild removes the chunks of the build before. On a fresh
 * checkout, where the benchmarks' cache directory does not exist yet, the build makes it.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { buildForBench } from "../../bench/shared/bundle.js"

const name = `probe${process.pid}`
const source = mkdtempSync(join(tmpdir(), "lark-effect-bundle-"))
writeFileSync(join(source, "entry.mjs"), `const { answer } = await import("./answer.mjs")\nconsole.log(answer)\n`)
writeFileSync(join(source, "answer.mjs"), `export const answer = "from the chunk"\n`)

let built: string | undefined
const ours = () => readdirSync(dirname(built!)).filter((file) => file.startsWith(`${name}-bundle`))

afterAll(() => {
  rmSync(source, { recursive: true, force: true })
  if (built !== undefined) for (const file of ours()) rmSync(join(dirname(built), file))
})

describe("buildForBench", () => {
  it("bundles an entry and its dynamic import as a chunk of its own, which runs under node", async () => {
    built = await buildForBench(join(source, "entry.mjs"), name, "bundle")
    expect(ours().length).toBe(2) // the entry and its chunk
    expect(execFileSync(process.execPath, [built], { encoding: "utf8" }).trim()).toBe("from the chunk")
  })

  it("removes the chunks of the build before", async () => {
    const stale = join(dirname(built!), `${name}-bundle-STALE0.mjs`)
    writeFileSync(stale, "")
    await buildForBench(join(source, "entry.mjs"), name, "bundle")
    expect(existsSync(stale)).toBe(false)
    expect(ours().length).toBe(2)
  })
})
