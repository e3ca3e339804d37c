/**
 * `editions/effect4/suite.json` accounts for the whole suite: every test file runs on the Effect 4 edition too
 * (`tests`) or is listed, with the reason, as Effect 3's alone (`effect3Only`), never both; and no entry names a
 * file that is not there. A new test file therefore fails here until it says which.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { repository } from "../../scripts/distBuild.js"
import { edition } from "../../scripts/edition.js"

interface Suite {
  readonly tests: ReadonlyArray<string>
  readonly effect3Only: Readonly<Record<string, string>>
}

const suite = JSON.parse(readFileSync(join(edition, "suite.json"), "utf8")) as Suite

const testFiles = readdirSync(join(repository, "tests"), { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".test.ts"))
  .map((path) => relative(repository, join(repository, "tests", path)))
  .sort()

describe("the Effect 4 suite's list", () => {
  it("names every test file once: on both majors, or on Effect 3 alone with a reason", () => {
    const onBoth = new Set(suite.tests)
    const alone = Object.keys(suite.effect3Only)
    expect(suite.tests.length).toBe(onBoth.size)
    expect(alone.filter((file) => onBoth.has(file))).toEqual([])
    expect([...onBoth, ...alone].sort()).toEqual(testFiles)
    expect(Object.entries(suite.effect3Only).filter(([, reason]) => reason.trim().length < 20)).toEqual([])
  })
})
