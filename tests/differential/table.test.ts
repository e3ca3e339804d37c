/** The suite's intentional differences are exactly the rows of `docs/differences.md`. */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { INTENTIONAL } from "./allowed.js"

const table = readFileSync(new URL("../../docs/differences.md", import.meta.url), "utf8")

/** The first cell of each body row: `` | `id` | ... ``. */
const rowIds = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1])

describe("docs/differences.md", () => {
  it("lists exactly the differences the suite allows on purpose", () => {
    assert.deepStrictEqual([...rowIds].sort(), INTENTIONAL.map((rule) => rule.id).sort())
  })
})
