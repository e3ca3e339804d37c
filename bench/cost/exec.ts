/**
 * Runs commands to completion, timed from spawn to exit; and the median of such figures.
 */
import { spawn } from "node:child_process"

export interface Finished {
  readonly seconds: number
  readonly stdout: string
  readonly stderr: string
}

/** Rejects, with the end of its output, unless the command exits with code 0. */
export const exec = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let seconds = 0
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr += chunk))
    child.once("exit", () => void (seconds = (performance.now() - start) / 1000))
    child.once("error", reject)
    child.once("close", (code, signal) => {
      if (code === 0) return resolve({ seconds, stdout, stderr })
      const output = `${stdout}\n${stderr}`.trim().slice(-2000)
      reject(new Error(`${[command, ...args].join(" ")}: ${signal ?? `exit code ${code}`}\n${output}`))
    })
  })

/** The median of some numbers. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
