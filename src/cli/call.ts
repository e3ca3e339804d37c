/**
 * `lark-effect call`: one API call with the app in the environment; the answer's `data` as JSON on
 * standard output, a failure on standard error (with the platform's code, log id and troubleshooter link).
 */
import { basename } from "node:path"
import { isPlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type { DownloadedFile } from "../Files.js"
import { catchAll } from "../internal/dialect.js"
import * as LarkConfig from "../LarkConfig.js"
import type { LarkConfigError, LarkError } from "../LarkError.js"
import type { CallOptions, Payload } from "../Operation.js"
import { resolve } from "./apis.js"
import type { CallCommand } from "./callArgs.js"
import type { UsageError } from "./flags.js"
import { configErrorLines } from "./format.js"
import { ExitCode, type Output, printAll } from "./output.js"

const isDownloadedFile = (value: unknown): value is DownloadedFile =>
  typeof value === "object" && value !== null && "bytes" in value && value.bytes instanceof Uint8Array

const definedOnly = <A extends object>(fields: A): A =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as A

/** The body with each `--file` read into a `File` named after it. */
const withFiles = (command: CallCommand) =>
  Effect.gen(function*() {
    if (command.files.length === 0) return command.data
    const fs = yield* FileSystem.FileSystem
    const data: Record<string, unknown> = { ...(command.data as Record<string, unknown> | undefined) }
    for (const { field, path } of command.files) data[field] = new File([(yield* fs.readFile(path)).slice()], basename(path))
    return data
  })

/** The failure in a few lines; an API error with everything needed to look it up. */
export const failureLines = (error: LarkError | LarkConfigError): ReadonlyArray<string> => {
  switch (error._tag) {
    case "LarkApiError":
      return [
        `${error.operation} failed (HTTP ${error.httpStatus})`,
        `  code:           ${error.code}`,
        `  msg:            ${error.msg}`,
        ...(error.logId === undefined ? [] : [`  log id:         ${error.logId}`]),
        ...(error.troubleshooter === undefined ? [] : [`  troubleshooter: ${error.troubleshooter}`]),
        ...error.fieldViolations.map((v) => `  field ${v.field ?? "?"}: ${v.description ?? ""}`),
        ...error.permissionViolations.map((v) => `  missing permission ${v.subject ?? "?"} (${v.type ?? "?"}): ${v.description ?? ""}`)
      ]
    case "LarkConfigError":
      return configErrorLines(error)
    default:
      return [error.message]
  }
}

const toJson = (value: unknown, pretty: boolean) => JSON.stringify(value ?? null, undefined, pretty ? 2 : undefined)

/** Prints the answer, or writes it to `--output`: a file's bytes as they came, anything else as JSON. */
const deliver = (command: CallCommand, answer: unknown, output: Output) =>
  Effect.gen(function*() {
    if (command.output === undefined) {
      if (isDownloadedFile(answer)) {
        return yield* Effect.as(
          output.err(`${command.api} answered a file (${answer.bytes.length} bytes): pass --output <path> to save it.`),
          ExitCode.failed
        )
      }
      yield* output.out(toJson(answer, command.pretty))
      return ExitCode.ok
    }
    const fs = yield* FileSystem.FileSystem
    const bytes = isDownloadedFile(answer) ? answer.bytes : new TextEncoder().encode(`${toJson(answer, command.pretty)}\n`)
    yield* fs.writeFile(command.output, bytes)
    const about = isDownloadedFile(answer) && answer.fileName !== undefined ? ` (${answer.fileName})` : ""
    yield* output.err(`Saved ${bytes.length} bytes${about} to ${command.output}.`)
    return ExitCode.ok
  })

/** Runs the call and answers the exit code. */
export const call = (
  command: CallCommand,
  output: Output,
  usage: (error: UsageError) => Effect.Effect<number>
): Effect.Effect<number, never, HttpClient.HttpClient | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const api = yield* resolve(command.api)
    const data = yield* withFiles(command)
    const payload: Payload = definedOnly({ path: command.path, params: command.params as Payload["params"], data })
    const options: CallOptions = definedOnly({ userAccessToken: command.userAccessToken, tenantKey: command.tenantKey })
    const answer = yield* api(payload, options).pipe(Effect.provide(LarkConfig.layerConfig()))
    return yield* deliver(command, answer, output)
  }).pipe(
    Effect.catchTag("UsageError", usage),
    Effect.catchIf(isPlatformError, (error) => Effect.as(output.err(error.message), ExitCode.failed)),
    catchAll((error) => Effect.as(printAll(output.err, failureLines(error)), ExitCode.failed))
  )
