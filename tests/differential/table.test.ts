/**
 * The suite's intentional differences are exactly the rows of `docs/differences.md`, and none of them is a
 * known-open bug.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { INTENTIONAL, KNOWN_OPEN } from "./allowed.js"

const table = readFileSync(new URL("../../docs/differences.md", import.meta.url), "utf8")

/** The first cell of each body row: `` | `id` | ... ``. */
const rowIds = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1])

describe("docs/differences.md", () => {
  it("lists exactly the differences the suite allows on purpose", () => {
    assert.deepStrictEqual([...rowIds].sort(), INTENTIONAL.map((rule) => rule.id).sort())
  })

  it("keeps the known-open bugs out of the table", () => {
    for (const rule of KNOWN_OPEN) assert.notInclude(table, rule.id)
  })
})
