/**
 * Where the commands print, and the exit codes they answer.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Standard output and standard error by default; tests collect the lines. */
export interface Output {
  readonly out: (line: string) => Effect.Effect<void>
  readonly err: (line: string) => Effect.Effect<void>
}

export const consoleOutput: Output = { out: Console.log, err: Console.error }

/** Exit codes: 0 done, 1 the command failed, 2 bad command line, 130 cancelled (Ctrl-C). */
export const ExitCode = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

export const printAll = (print: (line: string) => Effect.Effect<void>, lines: ReadonlyArray<string>) =>
  Effect.forEach(lines, (line) => print(line), { discard: true })
