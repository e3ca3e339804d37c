/** What a command prints, collected: standard error lines start with `ERR `. */
import * as Effect from "effect/Effect"
import type { Output } from "../../src/cli/output.js"

export const capture = () => {
  const lines: Array<string> = []
  const output: Output = {
    out: (line) => Effect.sync(() => void lines.push(line)),
    err: (line) => Effect.sync(() => void lines.push(`ERR ${line}`))
  }
  return {
    lines,
    output,
    text: () => lines.join("\n"),
    /** Standard output only. */
    out: () => lines.filter((line) => !line.startsWith("ERR "))
  }
}
