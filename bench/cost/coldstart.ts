/**
 * Cold start: whole-process wall time (measured here, spawn to exit) and peak RSS of `node <program>`, from
 * `/usr/bin/time` when there is one, else from the program itself at exit (programs/rss-at-exit.cjs).
 */
import { existsSync } from "node:fs"
import { exec, median } from "./exec.js"

export interface Start {
  readonly seconds: number
  readonly rssMiB: number
}

const TIME = "/usr/bin/time"
const hasTime = existsSync(TIME)
export const rssSource = hasTime ? TIME : "process.resourceUsage() at exit"

const command = (node: string, args: ReadonlyArray<string>): [string, Array<string>] =>
  hasTime
    ? [TIME, ["-f", "maxrss_kb=%M", node, ...args]]
    : [node, ["--require", "./rss-at-exit.cjs", ...args]]

/** One run of `node ...args` in `cwd`. */
const once = async (cwd: string, args: ReadonlyArray<string>, node: string): Promise<Start> => {
  const { seconds, stderr } = await exec(...command(node, args), cwd)
  const kb = /maxrss_kb=(\d+)\s*$/.exec(stderr)
  if (kb === null) throw new Error(`node ${args.join(" ")}: no peak RSS reported\n${stderr.slice(-2000)}`)
  return { seconds, rssMiB: Number(kb[1]) / 1024 }
}

/**
 * Medians over `runs` rounds for each program (node arguments by key) on `node`, after one warm-up round; rounds
 * take every program in turn so that drift on the machine falls on all of them alike.
 */
export const coldStarts = async <K extends string>(
  cwd: string,
  programs: Record<K, ReadonlyArray<string>>,
  runs: number,
  node: string = process.execPath
): Promise<Record<K, Start>> => {
  const keys = Object.keys(programs) as Array<K>
  const samples = new Map<K, Array<Start>>(keys.map((key) => [key, []]))
  for (let round = 0; round <= runs; round++) {
    for (const key of keys) {
      const start = await once(cwd, programs[key], node)
      if (round > 0) samples.get(key)!.push(start)
    }
  }
  const result = {} as Record<K, Start>
  for (const [key, starts] of samples) {
    result[key] = { seconds: median(starts.map((start) => start.seconds)), rssMiB: median(starts.map((start) => start.rssMiB)) }
  }
  return result
}
