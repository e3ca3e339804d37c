/**
 * The executable end to end, in a process of its own (through tsx): help texts on standard output with
 * exit code 0, a usage error on standard error with exit code 2.
 */
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { join } from "node:path"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { CALL_USAGE } from "../../src/cli/callArgs.js"
import { USAGE } from "../../src/cli/args.js"

const repository = join(import.meta.dirname, "../..")

/** tsx's command line, wherever the tests run from (the Effect 4 suite's copy has no node_modules of its own). */
const tsx = createRequire(import.meta.url).resolve("tsx/cli")

const lark = (...args: Array<string>) =>
  promisify(execFile)(process.execPath, [tsx, join(repository, "src/cli/main.ts"), ...args], {
    cwd: repository,
    env: { PATH: process.env["PATH"] }
  }).then(
    ({ stderr, stdout }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr })
  )

describe("lark-effect (a process)", () => {
  it("prints the usage, a command's help, and refuses an unknown flag with exit code 2", { timeout: 60_000 }, async () => {
    const [top, call, bad] = await Promise.all([lark("--help"), lark("call", "--help"), lark("events", "--follow")])
    assert.deepStrictEqual(top, { code: 0, stdout: `${USAGE}\n`, stderr: "" })
    assert.deepStrictEqual(call, { code: 0, stdout: `${CALL_USAGE}\n`, stderr: "" })
    assert.strictEqual(bad.code, 2)
    assert.strictEqual(bad.stdout, "")
    assert.strictEqual(bad.stderr, `lark-effect: Unknown option '--follow'\nRun "lark-effect events --help" for the options.\n`)
  })
})
