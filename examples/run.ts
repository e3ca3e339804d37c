/**
 * What every example shares: one place that picks the platform, reads the example's settings, runs it
 * and reports.
 *
 * - Neither `LARK_APP_ID` nor `LARK_APP_SECRET` set: the fake Open Platform starts inside the process, the
 *   example runs against it with its `fake` settings, and what the platform received is printed (secrets
 *   masked).
 * - Both set: the example runs against the real platform (`LARK_DOMAIN`, default feishu) with its settings
 *   read from the environment; a missing one stops it before any call, saying what to set.
 * - Only one of them set: that is a mistake, and it says so.
 */
import { realpathSync } from "node:fs"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import type { HttpClient } from "@effect/platform/HttpClient"
import { Console, Data, Effect, Layer, Redacted } from "effect"
import { LarkLive, layer as larkLayer } from "../layers/index.js"
import { fakeOpenPlatform } from "../layers/testing.js"
import type { LarkConfig } from "../src/LarkConfig.js"
import type { LarkConfigError } from "../src/LarkError.js"
import { defaultApp } from "../src/testing/fakeApps.js"
import { FakeOpenPlatform, type RecordedCall } from "../src/testing/FakeOpenPlatform.js"

/** An environment variable an example reads on the real platform. */
export interface Setting {
  /** What it is, shown in the help line and when it is missing. */
  readonly description: string
  /** The value used on the fake platform. */
  readonly fake: string
  /** The value on the real platform when the variable is not set. Without one, the variable is required there. */
  readonly default?: string
}

/** The values of the settings `Env`, by variable name. */
export type Values<Env extends string> = { readonly [K in Env]: string }

/** One runnable example. `Env` names the environment variables it reads (besides the app credentials). */
export interface Example<Env extends string, A, E> {
  /** The file name without `.ts`, e.g. `send-text`. */
  readonly name: string
  /** What it does, in a few words: `sends a text message`. */
  readonly summary: string
  readonly settings: { readonly [K in Env]: Setting }
  /** Options for the fake platform, e.g. how many users it seeds. */
  readonly fake?: FakeOpenPlatform.Options
  /** The SDK calls, given the settings' values; the same code runs against the fake and the real platform. */
  readonly program: (env: Values<Env>) => Effect.Effect<A, E, LarkConfig | HttpClient>
}

/** Declares an example (only here so that the settings' names are inferred). */
export const example = <Env extends string, A, E>(example: Example<Env, A, E>): Example<Env, A, E> => example

/** A problem with how the example was started: a missing setting, half the credentials, a bad value. */
export class ExampleSetupError extends Data.TaggedError("ExampleSetupError")<{ readonly message: string }> {}

// ---------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------

const helpLine = (name: string, setting: Setting): string => {
  const when = setting.default === undefined ? "required" : setting.default === "" ? "optional" : `default ${setting.default}`
  return `  ${name.padEnd(28)} ${setting.description} (${when})`
}

const entries = <Env extends string>(settings: { readonly [K in Env]: Setting }) =>
  Object.entries(settings) as Array<[Env, Setting]>

/** The settings' values on the fake platform: each one's `fake` value unless `env` sets it. */
export const fakeSettings = <Env extends string>(
  example: Example<Env, unknown, unknown>,
  env: Record<string, string | undefined> = {}
): Values<Env> =>
  Object.fromEntries(entries(example.settings).map(([name, setting]) => [name, env[name] || setting.fake])) as Values<Env>

/** The settings' values from `env`; fails naming every missing one. An empty value counts as unset. */
export const readSettings = <Env extends string>(
  example: Example<Env, unknown, unknown>,
  env: Record<string, string | undefined> = process.env
): Effect.Effect<Values<Env>, ExampleSetupError> => {
  const missing = entries(example.settings).filter(([name, setting]) => !env[name] && setting.default === undefined)
  if (missing.length > 0) {
    return Effect.fail(
      new ExampleSetupError({
        message: [
          `to run ${example.name} on the real platform, set:`,
          ...missing.map(([name, setting]) => helpLine(name, setting))
        ].join("\n")
      })
    )
  }
  return Effect.succeed(
    Object.fromEntries(entries(example.settings).map(([name, setting]) => [name, env[name] || setting.default!])) as Values<Env>
  )
}

/** Narrows a setting to one of `allowed`, or fails saying which values are allowed. */
export const oneOf = <const L extends string>(
  name: string,
  value: string,
  allowed: ReadonlyArray<L>
): Effect.Effect<L, ExampleSetupError> =>
  allowed.includes(value as L)
    ? Effect.succeed(value as L)
    : Effect.fail(new ExampleSetupError({ message: `${name} is "${value}": it must be one of ${allowed.join(", ")}` }))

/** Reads a whole number setting within `[min, max]`. */
export const wholeNumber = (name: string, value: string, min: number, max: number): Effect.Effect<number, ExampleSetupError> => {
  const n = Number(value)
  return Number.isInteger(n) && n >= min && n <= max
    ? Effect.succeed(n)
    : Effect.fail(new ExampleSetupError({ message: `${name} is "${value}": it must be a whole number from ${min} to ${max}` }))
}

/** The error for a file setting whose file cannot be read. */
export const cannotRead = (name: string, path: string) => (cause: unknown): ExampleSetupError =>
  new ExampleSetupError({ message: `${name}: cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** The SDK answered without a field the example needs (answer fields are all optional in the catalog). */
export class MissingInAnswer extends Data.TaggedError("MissingInAnswer")<{ readonly message: string }> {}

/** `value`, or a `MissingInAnswer` naming `what`. */
export const present = <A>(value: A | undefined, what: string): Effect.Effect<A, MissingInAnswer> =>
  value === undefined ? Effect.fail(new MissingInAnswer({ message: `the platform answered without ${what}` })) : Effect.succeed(value)

/** The `receive_id_type`s `im.v1.message.create` takes. */
export const receiveIdTypes = ["chat_id", "open_id", "user_id", "union_id", "email"] as const

export type ReceiveIdType = (typeof receiveIdTypes)[number]

/** Who a message goes to. */
export interface Receiver {
  readonly receiveId: string
  readonly receiveIdType: ReceiveIdType
}

/** The settings the message examples share. */
export const receiverSettings = {
  LARK_DEMO_RECEIVE_ID: { description: "the chat (or user) to send to", fake: "oc_demo_chat" },
  LARK_DEMO_RECEIVE_ID_TYPE: {
    description: `what kind of id LARK_DEMO_RECEIVE_ID is: ${receiveIdTypes.join(", ")}`,
    fake: "chat_id",
    default: "chat_id"
  }
} satisfies Record<string, Setting>

/** The receiver from `receiverSettings`' values. */
export const receiver = (env: Values<keyof typeof receiverSettings>): Effect.Effect<Receiver, ExampleSetupError> =>
  Effect.map(oneOf("LARK_DEMO_RECEIVE_ID_TYPE", env.LARK_DEMO_RECEIVE_ID_TYPE, receiveIdTypes), (receiveIdType) => ({
    receiveId: env.LARK_DEMO_RECEIVE_ID,
    receiveIdType
  }))

// ---------------------------------------------------------------------------------------------------
// The fake platform
// ---------------------------------------------------------------------------------------------------

/** Runs SDK calls against the fake platform in context, as its default app. */
export const onFake = <A, E>(program: Effect.Effect<A, E, LarkConfig | HttpClient>): Effect.Effect<A, E, FakeOpenPlatform> =>
  Effect.flatMap(FakeOpenPlatform, (fake) =>
    Effect.provide(
      program,
      // options built here, all valid: a config error would be a bug in this file
      Layer.orDie(larkLayer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: fake.url }))
    ))

const SECRET_FIELDS = new Set(["app_secret", "app_access_token", "app_ticket", "client_secret", "AppSecret"])

/** One call as two lines, secrets masked. */
export const describeCall = (call: RecordedCall): string => {
  const query = Object.entries(call.query).flatMap(([key, values]) => values.map((value) => `${key}=${value}`)).join("&")
  const auth = call.headers.authorization === undefined ? "" : "  authorization: Bearer <redacted>"
  const body = call.body
  const shown = body._tag === "Json"
    ? JSON.stringify(body.value, (key, value) => SECRET_FIELDS.has(key) ? "<redacted>" : value)
    : body._tag === "Multipart"
    ? `multipart ${[
      ...Object.entries(body.fields).map(([name, value]) => `${name}=${value}`),
      ...Object.entries(body.files).map(([name, file]) => `${name}=<${file.size} bytes ${file.contentType} "${file.fileName}">`)
    ].join(", ")}`
    : body._tag === "Text"
    ? body.text
    : ""
  return `  ${call.method} ${call.path}${query ? `?${query}` : ""}${auth}${shown ? `\n      ${shown}` : ""}`
}

/**
 * The example on the fake platform in context, with its fake settings (those `env` sets win, so a file or
 * a page size can be tried on the fake too), framed by a header saying how to use the real platform and a
 * report of what the platform received.
 */
export const runOnFake = <Env extends string, A, E>(
  example: Example<Env, A, E>,
  env: Record<string, string | undefined> = {}
): Effect.Effect<A, E, FakeOpenPlatform> =>
  Effect.gen(function*() {
    const fake = yield* FakeOpenPlatform
    yield* Console.log(`${example.name}: ${example.summary}, on the built-in fake Open Platform at ${fake.url}`)
    yield* Console.log("To use the real platform, set LARK_APP_ID and LARK_APP_SECRET (LARK_DOMAIN=lark for Lark)")
    const settings = entries(example.settings)
    if (settings.length > 0) {
      yield* Console.log(`and:\n${settings.map(([name, setting]) => helpLine(name, setting)).join("\n")}`)
    }
    yield* Console.log("")
    const result = yield* onFake(example.program(fakeSettings(example, env)))
    yield* Console.log("\nwhat the platform received:")
    for (const call of yield* fake.calls) yield* Console.log(describeCall(call))
    yield* Console.log(`\ntoken fetches: ${yield* fake.tokenFetches}`)
    return result
  })

// ---------------------------------------------------------------------------------------------------
// The real platform
// ---------------------------------------------------------------------------------------------------

/** The example against the real platform, its settings read from `env` (credentials by `LarkLive`, from the process). */
export const runOnReal = <Env extends string, A, E>(
  example: Example<Env, A, E>,
  env: Record<string, string | undefined> = process.env
): Effect.Effect<A, E | ExampleSetupError | LarkConfigError> =>
  Effect.gen(function*() {
    const settings = yield* readSettings(example, env)
    yield* Console.log(
      `${example.name}: ${example.summary}, on the real Open Platform (${env.LARK_DOMAIN || "feishu"}) as ${env.LARK_APP_ID}\n`
    )
    return yield* Effect.provide(example.program(settings), LarkLive)
  })

/** Which platform the environment asks for. */
export const platformOf = (env: Record<string, string | undefined>): Effect.Effect<"fake" | "real", ExampleSetupError> => {
  const id = Boolean(env.LARK_APP_ID)
  const secret = Boolean(env.LARK_APP_SECRET)
  if (id && secret) return Effect.succeed("real")
  if (!id && !secret) return Effect.succeed("fake")
  const [set, unset] = id ? ["LARK_APP_ID", "LARK_APP_SECRET"] : ["LARK_APP_SECRET", "LARK_APP_ID"]
  return Effect.fail(
    new ExampleSetupError({
      message: `${set} is set but ${unset} is not: set both to use the real platform, or neither to use the built-in fake one`
    })
  )
}

// ---------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------

/** What went wrong, with the platform's details (code, log id, field and permission violations) when there are any. */
export const describeError = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  if (typeof error !== "object" || error === null) return message
  const details: Array<string> = []
  const violations = (field: string) =>
    field in error && Array.isArray((error as Record<string, unknown>)[field])
      ? ((error as Record<string, unknown>)[field] as ReadonlyArray<Record<string, unknown>>)
      : []
  for (const v of violations("fieldViolations")) details.push(`  field ${v.field ?? "?"}: ${v.description ?? ""}`)
  for (const v of violations("permissionViolations")) details.push(`  permission ${v.subject ?? v.type ?? "?"}: ${v.description ?? ""}`)
  return [message, ...details].join("\n")
}

/** Reports a failed run (a typed failure or a defect) and sets the exit code. */
export const reportFailure = (name: string) => (error: unknown) => {
  console.error(`${name} failed: ${describeError(error)}`)
  process.exitCode = 1
}

/** Runs `program`; a failure is printed and sets the exit code. */
export const runMain = <A, E>(name: string, program: Effect.Effect<A, E>): Promise<void> =>
  Effect.runPromise(Effect.match(program, { onFailure: reportFailure(name), onSuccess: () => {} })).then(undefined, reportFailure(name))

/**
 * Runs the example on the platform the environment asks for; a failure is printed and sets the exit code.
 * `fake` is the fake platform to use (default: the fake Open Platform with the example's options).
 */
export const runExample = <Env extends string, A, E>(
  example: Example<Env, A, E>,
  fake: Layer.Layer<FakeOpenPlatform, never, never> = fakeOpenPlatform(example.fake)
): Promise<void> =>
  runMain(
    example.name,
    Effect.flatMap(platformOf(process.env), (platform): Effect.Effect<A, E | ExampleSetupError | LarkConfigError> =>
      platform === "real" ? runOnReal(example) : Effect.provide(runOnFake(example, process.env), fake))
  )

/** True when the module at `moduleUrl` is the script node was started with (not imported, e.g. by a test). */
export const isMain = (moduleUrl: string): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  const real = (path: string) => {
    try {
      return realpathSync(path)
    } catch {
      return resolve(path)
    }
  }
  const self = real(fileURLToPath(moduleUrl))
  return self === real(script) || self.replace(/\.[cm]?[jt]s$/, "") === real(script)
}
