/**
 * A benchmark's helper process (the fake platform, or a client under test) driven by one-line commands on
 * its stdin, answering one JSON line on its stdout per command. Its first line announces it is ready.
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"

export interface LineProcess<Ready> {
  /** The first line the process printed. */
  readonly ready: Ready
  /** Sends one command line and answers the next line the process prints. */
  readonly command: <A>(line: string) => Promise<A>
  /** Sends one command line; its answer is read later with `read`. */
  readonly send: (line: string) => void
  readonly read: <A>() => Promise<A>
  readonly stop: () => void
}

/** Starts `script` on `node`: a `.ts` file runs under tsx, anything else under plain node (with `nodeOptions`). */
export const startLineProcess = async <Ready>(
  script: string,
  args: ReadonlyArray<string> = [],
  nodeOptions: ReadonlyArray<string> = [],
  node: string = process.execPath
): Promise<LineProcess<Ready>> => {
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : []
  const child = spawn(node, [...nodeOptions, ...loader, script, ...args], { stdio: ["pipe", "pipe", "inherit"] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const read = async <A>(): Promise<A> => {
    const next = await lines.next()
    if (next.done === true) throw new Error(`${script} exited (code ${child.exitCode})`)
    return JSON.parse(String(next.value)) as A
  }
  const send = (line: string) => void child.stdin.write(`${line}\n`)
  const command = async <A>(line: string): Promise<A> => {
    send(line)
    return read<A>()
  }
  return { ready: await read<Ready>(), command, send, read, stop: () => void child.kill() }
}

/** Answers `value` as the process's line (the other half of the protocol). */
export const answer = (value: unknown) => void process.stdout.write(`${JSON.stringify(value)}\n`)
