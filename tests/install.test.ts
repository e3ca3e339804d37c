/**
 * The Effect 3 edition (the root package) installs as an app installs it and runs the README's quick start:
 * `npm pack` of the built package (`dist/`, built when stale), installed with Effect 3's packages into a fresh
 * project (tests/installQuickStart.ts). The Effect 4 edition's twin of this is in tests/effect4/edition.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildIfStale, repository } from "../scripts/distBuild.js"
import { npmPack } from "../scripts/editionPackage.js"
import { expectedMessage, installedMajors, installedVersions, installInto, runQuickStart } from "./installQuickStart.js"

describe("the Effect 3 edition, installed from its tarball", () => {
  const project = mkdtempSync(join(tmpdir(), "lark-install-"))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  beforeAll(async () => {
    await buildIfStale()
    const tarball = await npmPack(repository, project)
    const peers = installedVersions(join(repository, "node_modules"), ["effect", "@effect/platform", "@effect/platform-node"])
    await installInto(project, tarball, peers)
  }, 20 * 60_000)

  it("runs the README's quick start against the fake Open Platform", async () => {
    const { printed, sent } = await runQuickStart(project)
    expect(sent.map((call) => call.body)).toEqual([{ _tag: "Json", value: expectedMessage }])
    expect(printed).toMatch(/^om_/) // the id of the message the fake stored
  }, 120_000)

  it("has Effect 3 only, and one undici, in the app's tree", async () => {
    expect(await installedMajors(project, "effect")).toEqual(["3"])
    // one undici: lark-effect's is the major its @effect/platform-node uses
    expect(await installedMajors(project, "undici")).toEqual(["7"])
  })
})
