/**
 * `lark-effect register`: runs the device flow in a terminal. Shows the QR code and link, one line per
 * status change, then the App ID and the masked secret; writes a `.env` file only when asked.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import { isPlatformError, type PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import QRCode from "qrcode"
import { catchAll } from "../internal/dialect.js"
import { type RegisteredApp, registerAppEffect, type StatusKind } from "../registration/index.js"
import { flagOf, type RegisterCommand } from "./args.js"
import { envVariables, failureLine, qrCodeLines, resultLines, statusLine, upsertEnv } from "./format.js"
import { consoleOutput, ExitCode, type Output, printAll } from "./output.js"

/** The QR code drawn with terminal block characters; a URL too long for a QR code leaves only the link. */
export const renderQrCode = (url: string): Effect.Effect<string> =>
  Effect.tryPromise(() => QRCode.toString(url, { type: "terminal", small: true })).pipe(
    Effect.orElseSucceed(() => "(the link is too long for a QR code in the terminal: open it instead)")
  )

/** Sets the variables in the file (created readable by its owner only), keeping its other lines. */
const writeEnvFile = (path: string, variables: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const existing = (yield* fs.exists(path)) ? yield* fs.readFileString(path) : ""
    yield* fs.writeFileString(path, upsertEnv(existing, variables), { mode: 0o600 })
  })

/** Registers the app as the command asks, printing as it goes. */
export const register = (command: RegisterCommand, output: Output = consoleOutput) =>
  Effect.gen(function*() {
    const printed = yield* Ref.make<StatusKind | undefined>(undefined)
    const app: RegisteredApp = yield* registerAppEffect({
      ...command.options,
      onQrCode: ({ expireIn, url }) =>
        Effect.flatMap(renderQrCode(url), (qrCode) => printAll(output.out, qrCodeLines(qrCode, url, expireIn))),
      onStatusChange: (info) =>
        Effect.flatMap(Ref.getAndSet(printed, info.status), (previous) => {
          const line = statusLine(info, previous)
          return line === undefined ? Effect.void : output.out(line)
        })
    })
    // unwrapped only to write it to the file the user named and to mask it
    const secret = Redacted.value(app.clientSecret)
    if (command.envFile !== undefined) yield* writeEnvFile(command.envFile, envVariables(app, secret))
    yield* printAll(output.out, resultLines(app, secret, command.envFile))
    return app
  })

/** Runs `register` and answers the exit code; `usage` reports an option the flow refused. */
export const runRegister = (
  command: RegisterCommand,
  output: Output,
  usage: (message: string) => Effect.Effect<number>
): Effect.Effect<number, never, HttpClient.HttpClient | FileSystem.FileSystem> => {
  const cannotWrite = (error: PlatformError) =>
    Effect.as(output.err(`Could not write ${command.envFile}: ${error.message}`), ExitCode.failed)
  return register(command, output).pipe(
    Effect.as(ExitCode.ok),
    Effect.catchTag("RegistrationOptionsError", (error) => usage(`${flagOf(error.option)}: ${error.detail}`)),
    Effect.catchIf(isPlatformError, cannotWrite),
    catchAll((error) => Effect.as(output.err(failureLine(error)), ExitCode.failed)),
    Effect.onInterrupt(() => output.err("\nCancelled. Nothing was created by this command."))
  )
}
