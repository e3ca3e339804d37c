/**
 * `lark-effect register`: runs the device flow in a terminal. Shows the QR code and link, one line per
 * status change, then the App ID and the masked secret; writes a `.env` file only when asked.
 */
import { randomBytes } from "node:crypto"
import { basename, dirname, join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { PlatformError } from "@effect/platform/Error"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import QRCode from "qrcode"
import { catchAll } from "../internal/dialect.js"
import { type RegisteredApp, registerAppEffect, type StatusKind } from "../registration/index.js"
import { flagOf, type RegisterCommand } from "./args.js"
import { appLines, envFileLine, envVariables, failureLine, qrCodeLines, statusLine, upsertEnv } from "./format.js"
import { ExitCode, type Output, printAll } from "./output.js"

/** The QR code drawn with terminal block characters; a URL too long for a QR code leaves only the link. */
export const renderQrCode = (url: string): Effect.Effect<string> =>
  Effect.tryPromise(() => QRCode.toString(url, { type: "terminal", small: true })).pipe(
    Effect.orElseSucceed(() => "(the link is too long for a QR code in the terminal: open it instead)")
  )

/**
 * Sets the variables in the file, keeping its other lines, and leaves it readable by its owner only (0600)
 * whether or not it existed: the new content goes to a temporary file in the same directory, made 0600, then
 * renamed over the file, so a failed or interrupted write never leaves a truncated file. A symbolic link is
 * followed: the file it points to is replaced, the link stays.
 */
const writeEnvFile = (path: string, variables: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(path)
    const existing = exists ? yield* fs.readFileString(path) : ""
    const target = exists ? yield* fs.realPath(path) : path
    const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`)
    yield* Effect.gen(function*() {
      // "wx": a fresh file, never one that is already there (nor a link planted under that name)
      yield* fs.writeFileString(temporary, upsertEnv(existing, variables), { flag: "wx", mode: 0o600 })
      yield* fs.chmod(temporary, 0o600) // whatever the umask
      yield* fs.rename(temporary, target)
    }).pipe(Effect.onError(() => Effect.ignore(fs.remove(temporary)))) // failed or interrupted
  })

/** The app was created but its credentials could not be written to the file the user named. */
class EnvFileNotWritten extends Data.TaggedError("EnvFileNotWritten")<{
  readonly path: string
  readonly appId: string
  readonly error: PlatformError
}> {}

/**
 * Registers the app as the command asks, printing as it goes; `created` is set to the app's ID as soon as the
 * platform has created it, so that a cancellation after that point can say so.
 */
export const register = (command: RegisterCommand, output: Output, created: Ref.Ref<string | undefined>) =>
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
    yield* Ref.set(created, app.clientId)
    // unwrapped only to write it to the file the user named and to mask it
    const secret = Redacted.value(app.clientSecret)
    // The app exists from here on: its ID and masked secret are printed before the file is touched, so that a
    // failed write still shows them
    yield* printAll(output.out, appLines(app, secret))
    const path = command.envFile
    if (path !== undefined) {
      yield* writeEnvFile(path, envVariables(app, secret)).pipe(
        Effect.mapError((error) => new EnvFileNotWritten({ path, appId: app.clientId, error }))
      )
    }
    yield* output.out(envFileLine(path))
    return app
  })

/** Runs `register` and answers the exit code; `usage` reports an option the flow refused. */
export const runRegister = (
  command: RegisterCommand,
  output: Output,
  usage: (message: string) => Effect.Effect<number>
): Effect.Effect<number, never, HttpClient.HttpClient | FileSystem.FileSystem> => {
  const cannotWrite = ({ appId, error, path }: EnvFileNotWritten) =>
    Effect.as(
      output.err(
        `The app was created (App ID ${appId}), but its credentials could not be written to ${path}: ${error.message}. ` +
          "Copy the App Secret from the developer console."
      ),
      ExitCode.failed
    )
  return Effect.flatMap(Ref.make<string | undefined>(undefined), (created) =>
    register(command, output, created).pipe(
      Effect.as(ExitCode.ok),
      Effect.catchTag("RegistrationOptionsError", (error) => usage(`${flagOf(error.option)}: ${error.detail}`)),
      Effect.catchTag("EnvFileNotWritten", cannotWrite),
      catchAll((error) => Effect.as(output.err(failureLine(error)), ExitCode.failed)),
      Effect.onInterrupt(() => Effect.flatMap(Ref.get(created), (appId) => output.err(cancelledLine(appId, command.envFile))))
    ))
}

/**
 * What a cancelled `register` says. Before the platform answered, an app can only exist if the user already
 * confirmed it on their phone; after, it does exist, and its credentials may not have reached the file.
 */
const cancelledLine = (appId: string | undefined, envFile: string | undefined): string =>
  appId === undefined
    ? "\nCancelled before the registration finished. If you had already confirmed it in the app, the new app is in the developer console."
    : `\nCancelled, but the app was created (App ID ${appId}).` +
      (envFile === undefined ? "" : ` Its credentials may not have been written to ${envFile}.`) +
      " The App Secret is in the developer console."
