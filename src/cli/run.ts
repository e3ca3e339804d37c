/**
 * The whole `lark-effect` command line: parses `argv`, runs the command, and answers the process exit code.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import { getFailure, getSuccess, isFailure } from "../internal/dialect.js"
import type { WebSocketFactory } from "../ws/socket.js"
import { helpCommand, parseCommandLine } from "./args.js"
import { call } from "./call.js"
import { events } from "./events.js"
import { consoleOutput, ExitCode, type Output } from "./output.js"
import { runRegister } from "./register.js"

export const run = (
  argv: ReadonlyArray<string>,
  output: Output = consoleOutput
): Effect.Effect<number, never, HttpClient.HttpClient | FileSystem.FileSystem | WebSocketFactory> => {
  const usage = (message: string) =>
    Effect.as(output.err(`lark-effect: ${message}\nRun "${helpCommand(argv)}" for the options.`), ExitCode.usage)
  const parsed = parseCommandLine(argv)
  if (isFailure(parsed)) return usage(getFailure(parsed).message)
  const command = getSuccess(parsed)
  switch (command._tag) {
    case "Help":
      return Effect.as(output.out(command.usage), ExitCode.ok)
    case "Register":
      return runRegister(command, output, usage)
    case "Call":
      return call(command, output, (error) => usage(error.message))
    case "Events":
      return events(command, output)
  }
}
