/**
 * What every command's parsing shares: `node:util` `parseArgs` behind an `Outcome`, and list flags.
 */
import { parseArgs, type ParseArgsConfig } from "node:util"
import * as Data from "effect/Data"
import { fail, type Outcome, succeed } from "../internal/dialect.js"

/** The command line could not be understood; `run` prints `message` and a hint, and exits with 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

export const usageError = (message: string): Outcome<never, UsageError> => fail(new UsageError({ message }))

type Options = NonNullable<ParseArgsConfig["options"]>

/** What `parseArgs` answers for these options (its own name for it, `ParsedResults`, is not exported). */
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: Array<string>; options: O; strict: true; allowPositionals: boolean }>>

/** The flags and positionals of `args`; unknown flags and missing values are usage errors naming the flag. */
export const parseFlags = <const O extends Options>(
  args: ReadonlyArray<string>,
  options: O,
  allowPositionals = false
): Outcome<Parsed<O>, UsageError> => {
  try {
    return succeed(parseArgs({ args: [...args], options, strict: true, allowPositionals }))
  } catch (error) {
    // parseArgs names the offending flag: "Unknown option '--nmae'", "Option '--name <value>' argument missing"
    return usageError(error instanceof Error ? error.message : String(error))
  }
}

/** A repeated flag's values, trimmed, blanks dropped. */
export const repeated = (values: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  (values ?? []).map((value) => value.trim()).filter((value) => value !== "")

/** Names (scopes, event types) may also come comma-separated; URLs may not (they can hold commas). */
export const list = (values: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  repeated((values ?? []).flatMap((value) => value.split(",")))
