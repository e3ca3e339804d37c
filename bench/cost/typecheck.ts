/**
 * What type-checking costs: the whole project, and a consumer file that imports the core or one service,
 * checked alone with the project's compiler options.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { exec, median } from "./exec.js"
import { REPO, TSC } from "./workspace.js"

export interface Check {
  readonly seconds: number
  readonly files: number
  readonly memoryMiB: number
}

const MESSAGE = `{
  params: { receive_id_type: "chat_id" },
  data: { receive_id: "oc_cost", msg_type: "text", content: JSON.stringify({ text: "hi" }) }
}`

/** Consumer files by label: the same message through `request` (no generated code) and through `im`. */
export const CONSUMERS: Record<string, string> = {
  "consumer: core only (request)": `import { request } from "${REPO}src/index.js"
export const send = request({ method: "POST", url: "/open-apis/im/v1/messages", ...${MESSAGE} })
`,
  "consumer: one service (im)": `import { im } from "${REPO}src/api/im/index.js"
export const send = im.v1.message.create(${MESSAGE})
`
}

/** One figure from `tsc --diagnostics` output. */
const diagnostic = (output: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(output)?.[1])

const tsc = async (project: string): Promise<Check> => {
  const { seconds, stdout } = await exec(process.execPath, [TSC, "--noEmit", "--diagnostics", "-p", project], REPO)
  return { seconds, files: diagnostic(stdout, "Files"), memoryMiB: diagnostic(stdout, "Memory used") / 1024 }
}

/** `tsc --noEmit -p tsconfig.json` for the whole repository. */
export const checkProject = () => tsc(join(REPO, "tsconfig.json"))

/** Writes `source` with a tsconfig that extends the repo's and includes only it; the median of `runs` checks. */
export const checkConsumer = async (workspace: string, name: string, source: string, runs: number): Promise<Check> => {
  const dir = join(workspace, "typecheck", name.replace(/\W+/g, "-"))
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, "consumer.ts"), source)
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify({
    extends: join(REPO, "tsconfig.json"),
    compilerOptions: { typeRoots: [join(REPO, "node_modules", "@types")] },
    files: ["consumer.ts"],
    include: []
  }))
  const checks: Array<Check> = []
  for (let run = 0; run < runs; run++) checks.push(await tsc(join(dir, "tsconfig.json")))
  return { ...checks[0]!, seconds: median(checks.map((check) => check.seconds)) }
}
