/**
 * The whole `lark-effect` command line: parses `argv`, runs the command, and answers the process exit code.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
  const command = parseCommandLine(argv)
  if (Either.isLeft(command)) return usage(command.left.message)
  switch (command.right._tag) {
    case "Help":
      return Effect.as(output.out(command.right.usage), ExitCode.ok)
    case "Register":
      return runRegister(command.right, output, usage)
    case "Call":
      return call(command.right, output, (error) => usage(error.message))
    case "Events":
      return events(command.right, output)
  }
}
