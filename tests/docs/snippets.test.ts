/**
 * Docs that compile: every TypeScript block of README.md and docs/*.md type-checks as a module of a consumer
 * (one Program for all of them, `lark-effect/...` resolved through `paths` generated from package.json's
 * exports map, pointed at the sources), with the compiler options the README's Install section asks of a
 * consumer. Blocks marked `runnable` are also run against the fake platform: a script in a tsx process of its
 * own with `LARK_DOMAIN` pointing at a `FakeOpenPlatform`, a block with vitest tests imported here so that its
 * tests run in this file.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import ts from "typescript"
import { afterAll } from "vitest"
import { fakeOpenPlatform } from "../../layers/testing.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import { FakeOpenPlatform } from "../../src/testing/FakeOpenPlatform.js"
import { type CodeBlock, documentedBlocks, importingSources, sourceExports } from "./codeBlocks.js"

const repository = fileURLToPath(new URL("../..", import.meta.url))

/** What the README's Install section tells a consumer to put in its tsconfig (kept in step with it). */
const consumerOptions = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  lib: ["ES2022"],
  types: ["node"],
  skipLibCheck: true
}

const exportsToSources = sourceExports(repository)
const blocks = documentedBlocks(repository)
const checked = blocks.filter((block) => !block.marks.has("fragment"))
const runnable = checked.filter((block) => block.marks.has("runnable"))
const isVitest = (block: CodeBlock) => /from\s+["'](@effect\/)?vitest["']/.test(block.source)

/** A consumer's directory: its package.json, its tsconfig, the repository's node_modules, a file per block. */
const consumer = mkdtempSync(join(tmpdir(), "lark-docs-"))
symlinkSync(join(repository, "node_modules"), join(consumer, "node_modules"), "dir")
writeFileSync(join(consumer, "package.json"), JSON.stringify({ type: "module" }))
const fileOf = (block: CodeBlock, kind: "check" | "run") => join(consumer, `${block.where.replace(/[/:.]/g, "-")}.${kind}.ts`)
for (const block of checked) writeFileSync(fileOf(block, "check"), block.source)
for (const block of runnable) writeFileSync(fileOf(block, "run"), importingSources(exportsToSources, block.source))

const typeErrors = (): Array<string> => {
  const paths = Object.fromEntries([...exportsToSources].map(([specifier, source]) => [specifier, [source]]))
  const config = ts.parseJsonConfigFileContent(
    // every block a module even without an import, so that two blocks never share a global scope
    { compilerOptions: { ...consumerOptions, paths, moduleDetection: "force", noEmit: true } },
    ts.sys,
    consumer
  )
  assert.deepStrictEqual(config.errors, [])
  const files = checked.map((block) => fileOf(block, "check"))
  const program = ts.createProgram(files, config.options)
  return checked.flatMap((block, i) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(files[i]!)).map((diagnostic) => {
      const line = diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
        : 0
      return `${block.where} (block line ${line}): ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`
    })
  )
}

describe("the docs' TypeScript blocks", () => {
  afterAll(() => rmSync(consumer, { recursive: true, force: true }))

  it(`${checked.length} blocks type-check as a consumer's modules (${blocks.length - checked.length} marked fragment)`, () => {
    assert.isAbove(checked.length, 20)
    assert.isAtMost(blocks.length - checked.length, 3, "fragments are meant to be rare")
    assert.deepStrictEqual(typeErrors(), [])
  }, 5 * 60_000)

  for (const block of runnable.filter((block) => !isVitest(block))) {
    it.scopedLive(`${block.where} runs to completion against the fake platform`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeOpenPlatform
        const run = promisify(execFile)(process.execPath, [join(repository, "node_modules/tsx/dist/cli.mjs"), fileOf(block, "run")], {
          cwd: consumer,
          env: { ...process.env, LARK_APP_ID: defaultApp.appId, LARK_APP_SECRET: defaultApp.appSecret, LARK_DOMAIN: fake.url },
          timeout: 2 * 60_000
        })
        // exit 0, or why not: its message and what it printed
        const failure = yield* Effect.promise(() =>
          run.then(() => "", (error: { message: string; stdout?: string; stderr?: string }) => [error.message, error.stdout, error.stderr].join("\n"))
        )
        assert.strictEqual(failure, "")
      }).pipe(Effect.provide(fakeOpenPlatform())), 3 * 60_000)
  }
})

// a block of vitest tests registers them here, at collection
for (const block of runnable.filter(isVitest)) {
  describe(`${block.where} (its tests)`, async () => {
    await import(fileOf(block, "run"))
  })
}
