/**
 * Each edition installs as an app installs it and runs the README's quick start (docs/effect4.md): `npm pack`
 * of the edition, `npm install` of the tarball with its Effect major's packages into a fresh project of its own,
 * then the quick start's code, unchanged, as that project's program, against the fake Open Platform on
 * 127.0.0.1 (`LARK_DOMAIN` pointed at it).
 *
 * The Effect 3 edition is the root package (`dist/`, built when stale); the Effect 4 edition is built and packed
 * by `scripts/editionPackage.ts`. The installs are served from npm's cache where the repository's own installs
 * put the same versions (`--prefer-offline`), and from the registry otherwise.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fakeOpenPlatform } from "../layers/testing.js"
import { buildIfStale, repository } from "../scripts/distBuild.js"
import { edition } from "../scripts/edition.js"
import { packEdition } from "../scripts/editionPackage.js"
import { defaultApp, FakeOpenPlatform } from "../src/testing/index.js"
import { codeBlocks } from "./docs/codeBlocks.js"

const run = promisify(execFile)

/** The version of a package installed under `modules`. */
const installed = (modules: string, name: string): string =>
  JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version

interface Edition {
  readonly name: string
  /** Packs the edition into `folder`; answers the tarball's path. */
  readonly pack: (folder: string) => Promise<string>
  /** What an app on this Effect major installs beside it (the versions this repository is tested with). */
  readonly peers: ReadonlyArray<string>
}

const packRoot = async (folder: string): Promise<string> => {
  await buildIfStale()
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", folder], {
    cwd: repository,
    maxBuffer: 256 * 1024 * 1024
  })
  return join(folder, (JSON.parse(stdout) as ReadonlyArray<{ readonly filename: string }>)[0]!.filename)
}

const rootModules = join(repository, "node_modules")
const editionModules = join(edition, "node_modules")

const editions: ReadonlyArray<Edition> = [
  {
    name: "Effect 3",
    pack: packRoot,
    peers: ["effect", "@effect/platform", "@effect/platform-node"].map((name) => `${name}@${installed(rootModules, name)}`)
  },
  {
    name: "Effect 4",
    pack: packEdition,
    // read when the test runs: editions/effect4's modules are installed by packEdition on a clean clone
    get peers() {
      return ["effect", "@effect/platform-node"].map((name) => `${name}@${installed(editionModules, name)}`)
    }
  }
]

/** The README's quick start: its first TypeScript block, run as it is written. */
const quickStart = (): string => {
  const readme = readFileSync(join(repository, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Quick start"))
  return codeBlocks("README.md", section)[0]!.source
}

const fake = ManagedRuntime.make(fakeOpenPlatform())
afterAll(() => fake.dispose())

describe.each(editions)("the $name edition, installed from its tarball", (target) => {
  const project = mkdtempSync(join(tmpdir(), "lark-install-"))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  beforeAll(async () => {
    const tarball = await target.pack(project)
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "quick-start", private: true, type: "module" }))
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...target.peers], {
      cwd: project,
      maxBuffer: 64 * 1024 * 1024
    })
  }, 15 * 60_000)

  it("runs the README's quick start against the fake Open Platform", async () => {
    const platform = await fake.runPromise(FakeOpenPlatform.FakeOpenPlatform)
    const before = (await fake.runPromise(platform.callsTo("POST", "/open-apis/im/v1/messages"))).length
    writeFileSync(join(project, "quick-start.mjs"), quickStart())
    const { stdout } = await run(process.execPath, ["quick-start.mjs"], {
      cwd: project,
      timeout: 60_000,
      env: { ...process.env, LARK_APP_ID: defaultApp.appId, LARK_APP_SECRET: defaultApp.appSecret, LARK_DOMAIN: platform.url }
    })
    // the quick start prints the id of the message it sent, which the fake stored
    const messageId = stdout.trim()
    expect(messageId).toMatch(/^om_/)
    const sent = (await fake.runPromise(platform.callsTo("POST", "/open-apis/im/v1/messages"))).slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toEqual({ _tag: "Json", value: { receive_id: "oc_xxx", msg_type: "text", content: JSON.stringify({ text: "hello world" }) } })
  }, 120_000)

  it("resolves the Effect packages of its own major only", async () => {
    const { stdout } = await run("npm", ["ls", "effect", "--all", "--json"], { cwd: project, maxBuffer: 64 * 1024 * 1024 })
    const versions = new Set<string>()
    const walk = (node: { readonly version?: string; readonly dependencies?: Record<string, any> }, name: string) => {
      if (name === "effect" && node.version !== undefined) versions.add(node.version.split(".")[0]!)
      for (const [child, dependency] of Object.entries(node.dependencies ?? {})) walk(dependency, child)
    }
    walk(JSON.parse(stdout), "")
    expect([...versions]).toEqual([target.name.slice(-1)])
  })
})
