/**
 * An edition installed as an app installs it, running the README's quick start (tests/install.test.ts for
 * Effect 3, tests/effect4/edition.test.ts for Effect 4): `npm install` of the edition's tarball with its Effect
 * major's packages into a fresh project, then the quick start's code, unchanged, as that project's program,
 * against the fake Open Platform on 127.0.0.1 (`LARK_DOMAIN` pointed at it).
 *
 * The installs are served from npm's cache where the repository's own installs put the same versions
 * (`--prefer-offline`), and from the registry otherwise; a registry request that stalls is given up after a
 * minute and retried, instead of npm's five minutes per request (a stalled install once outlasted the test's
 * timeout).
 */
import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { ManagedRuntime } from "effect"
import { fakeOpenPlatform } from "../layers/testing.js"
import { repository } from "../scripts/distBuild.js"
import { defaultApp, FakeOpenPlatform } from "../src/testing/index.js"
import { codeBlocks } from "./docs/codeBlocks.js"

const run = promisify(execFile)

/** `name@version` of each package as installed under `modules`: what an app on that Effect major installs. */
export const installedVersions = (modules: string, names: ReadonlyArray<string>): Array<string> =>
  names.map((name) => `${name}@${JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version}`)

/** Makes `project` an app (ES modules) with `tarball` and `peers` installed. */
export const installInto = async (project: string, tarball: string, peers: ReadonlyArray<string>): Promise<void> => {
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "quick-start", private: true, type: "module" }))
  const patience = ["--fetch-timeout=60000", "--fetch-retries=4"]
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...patience, tarball, ...peers], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024
  })
}

/** The README's quick start: its first TypeScript block, as it is written. */
const quickStart = (): string => {
  const readme = readFileSync(join(repository, "README.md"), "utf8")
  return codeBlocks("README.md", readme.slice(readme.indexOf("## Quick start")))[0]!.source
}

const messages = ["POST", "/open-apis/im/v1/messages"] as const

/**
 * Runs the quick start in `project` with `node` against a fake Open Platform of its own; answers what it printed
 * and the message calls the fake received.
 */
export const runQuickStart = async (project: string, node: string = process.execPath): Promise<{
  readonly printed: string
  readonly sent: ReadonlyArray<FakeOpenPlatform.RecordedCall>
}> => {
  const fake = ManagedRuntime.make(fakeOpenPlatform())
  try {
    const platform = await fake.runPromise(FakeOpenPlatform.FakeOpenPlatform)
    writeFileSync(join(project, "quick-start.mjs"), quickStart())
    const { stdout } = await run(node, ["quick-start.mjs"], {
      cwd: project,
      timeout: 60_000,
      env: { ...process.env, LARK_APP_ID: defaultApp.appId, LARK_APP_SECRET: defaultApp.appSecret, LARK_DOMAIN: platform.url }
    })
    return { printed: stdout.trim(), sent: await fake.runPromise(platform.callsTo(...messages)) }
  } finally {
    await fake.dispose()
  }
}

/** The major versions of package `name` that `npm ls` finds anywhere in `project`'s tree. */
export const installedMajors = async (project: string, name: string): Promise<Array<string>> => {
  const { stdout } = await run("npm", ["ls", name, "--all", "--json"], { cwd: project, maxBuffer: 64 * 1024 * 1024 })
  const majors = new Set<string>()
  const walk = (node: { readonly version?: string; readonly dependencies?: Record<string, any> }, child: string) => {
    if (child === name && node.version !== undefined) majors.add(node.version.split(".")[0]!)
    for (const [dependencyName, dependency] of Object.entries(node.dependencies ?? {})) walk(dependency, dependencyName)
  }
  walk(JSON.parse(stdout), "")
  return [...majors]
}

/** What the quick start must have done: one text message to the chat it names, whose id it printed. */
export const expectedMessage = { receive_id: "oc_xxx", msg_type: "text", content: JSON.stringify({ text: "hello world" }) }
