/**
 * `LarkConfig`: the app's settings and its token cache, one service made by a layer.
 *
 * Every API call requires `LarkConfig | HttpClient`. The token cache lives here (as the official SDKs keep
 * it on their config), so two layers in one process never share tokens.
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Domain from "./Domain.js"
import * as Dialect from "./internal/dialect.js"
import { LarkConfigError } from "./LarkError.js"
import * as SingleFlight from "./internal/singleFlight.js"
import { userAgent } from "./internal/version.js"
import * as TokenCache from "./TokenCache.js"

export type AppType = "self_built" | "marketplace"

/**
 * Signs a client assertion (a JWT) for the keyless mode of self-built apps: the app proves who it is with an
 * assertion instead of an app secret. `audience` is the OAuth host the assertion is for.
 */
export type ClientAssertionSigner = (audience: string) => Effect.Effect<Redacted.Redacted<string>, unknown>

export interface Options {
  readonly appId: string
  /** Required unless `clientAssertion` is given. */
  readonly appSecret?: Redacted.Redacted<string> | undefined
  readonly clientAssertion?: ClientAssertionSigner | undefined
  /** Default `"self_built"`. Marketplace (ISV) apps need an app_ticket and a tenant key per call. */
  readonly appType?: AppType | undefined
  /** `"feishu"` (default), `"lark"` or a base URL. */
  readonly domain?: string | undefined
  /** Base URL of the OAuth v3 endpoints when `domain` is a custom URL served elsewhere. */
  readonly accountsUrl?: string | undefined
  /** Timeout of one HTTP attempt (retries get their own). Default 30 seconds. */
  readonly timeout?: Dialect.DurationInput | undefined
  /** Delays between retries of a call that is safe to retry. Default: jittered exponential from 250 ms, 3 retries. */
  readonly retrySchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * The largest answer body a call reads into memory, in bytes: a JSON answer, or a file downloaded whole.
   * A larger answer fails the call (`LarkHttpError`, reason `"TooLarge"`) without reading the rest. Default
   * 128 MiB, above the platform's largest message file (100 MB); stream bigger files (`executeStream`, the
   * `…Stream` download functions), which this does not limit.
   */
  readonly maxResponseBytes?: number | undefined
  /** Where tokens are kept. Default: in memory, owned by this layer. */
  readonly tokenCache?: TokenCache.TokenCache | undefined
  /**
   * A token is refreshed when less than this is left of its life, or once half its life has passed when that
   * comes later (a token that lives no longer than this is still cached). Default 3 minutes.
   */
  readonly refreshAhead?: Dialect.DurationInput | undefined
  readonly helpdesk?: { readonly id: string; readonly token: Redacted.Redacted<string> } | undefined
  /** Appended to the User-Agent as `source/<tag>`. */
  readonly source?: string | undefined
  readonly encryptKey?: Redacted.Redacted<string> | undefined
  readonly verificationToken?: Redacted.Redacted<string> | undefined
}

export interface Service {
  readonly appId: string
  readonly appSecret: Option.Option<Redacted.Redacted<string>>
  readonly clientAssertion: Option.Option<ClientAssertionSigner>
  readonly appType: AppType
  readonly domain: Domain.Domain
  readonly timeout: Duration.Duration
  readonly retrySchedule: Schedule.Schedule<unknown, unknown>
  readonly maxResponseBytes: number
  readonly tokenCache: TokenCache.TokenCache
  readonly refreshAhead: Duration.Duration
  readonly helpdesk: Option.Option<{ readonly id: string; readonly token: Redacted.Redacted<string> }>
  readonly userAgent: string
  readonly encryptKey: Option.Option<Redacted.Redacted<string>>
  readonly verificationToken: Option.Option<Redacted.Redacted<string>>
  /** Concurrent token fetches for one key share one request. */
  readonly tokenFetches: SingleFlight.SingleFlight
}

export class LarkConfig extends Dialect.Service<LarkConfig, Service>()("lark-effect/LarkConfig") {}

export const defaultRetrySchedule: Schedule.Schedule<unknown, unknown> = Dialect.intersectSchedules(
  Schedule.exponential("250 millis").pipe(Schedule.jittered),
  Schedule.recurs(3)
)

/** The default of `maxResponseBytes`: 128 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024

/** Checks the options and builds the service. Fails with `LarkConfigError` naming the bad setting. */
/** `input` as a `Duration`, or a `LarkConfigError` naming `variable` ("5 secs" is not one). */
const durationOf = (variable: string, input: Dialect.DurationInput): Effect.Effect<Duration.Duration, LarkConfigError> =>
  Option.match(Dialect.decodeDurationOption(input), {
    onNone: () => Effect.fail(new LarkConfigError({ variable, detail: `expected a duration such as "30 seconds", got ${JSON.stringify(String(input))}` })),
    onSome: Effect.succeed
  })

export const make = (options: Options): Effect.Effect<Service, LarkConfigError> =>
  Effect.gen(function*() {
    if (options.appId.trim() === "") {
      return yield* new LarkConfigError({ variable: "appId", detail: "must not be empty" })
    }
    if (options.appSecret === undefined && options.clientAssertion === undefined) {
      return yield* new LarkConfigError({ variable: "appSecret", detail: "an app secret or a client assertion signer is required" })
    }
    const appType = options.appType ?? "self_built"
    if (appType === "marketplace" && options.appSecret === undefined) {
      return yield* new LarkConfigError({ variable: "appSecret", detail: "marketplace apps need their app secret" })
    }
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      return yield* new LarkConfigError({ variable: "maxResponseBytes", detail: "must be a whole number of bytes, at least 1" })
    }
    if (options.accountsUrl !== undefined && !Domain.isBaseUrl(options.accountsUrl)) {
      return yield* new LarkConfigError({ variable: "accountsUrl", detail: `expected an http(s) base URL, got ${JSON.stringify(options.accountsUrl)}` })
    }
    const domain = yield* Dialect.matchOutcome(Domain.resolve(options.domain ?? "feishu", options.accountsUrl), {
      onFailure: (detail) => Effect.fail(new LarkConfigError({ variable: "domain", detail })),
      onSuccess: Effect.succeed
    })
    const timeout = yield* durationOf("timeout", options.timeout ?? "30 seconds")
    const refreshAhead = yield* durationOf("refreshAhead", options.refreshAhead ?? "3 minutes")
    return {
      appId: options.appId,
      appSecret: Dialect.optionFromNullable(options.appSecret),
      clientAssertion: Dialect.optionFromNullable(options.clientAssertion),
      appType,
      domain,
      timeout,
      retrySchedule: options.retrySchedule ?? defaultRetrySchedule,
      maxResponseBytes,
      tokenCache: options.tokenCache ?? TokenCache.makeMemory(),
      refreshAhead,
      helpdesk: Dialect.optionFromNullable(options.helpdesk),
      userAgent: userAgent(options.source),
      encryptKey: Dialect.optionFromNullable(options.encryptKey),
      verificationToken: Dialect.optionFromNullable(options.verificationToken),
      tokenFetches: SingleFlight.make()
    }
  })

/** A layer from options given in code. Build it once and reuse it: each build has its own token cache. */
export const layer = (options: Options): Layer.Layer<LarkConfig, LarkConfigError> => Layer.effect(LarkConfig, make(options))

/**
 * Reads the settings from the environment (or the current `ConfigProvider`): `LARK_APP_ID`,
 * `LARK_APP_SECRET`, `LARK_DOMAIN`, `LARK_APP_TYPE`, `LARK_ENCRYPT_KEY`, `LARK_VERIFICATION_TOKEN`.
 * `overrides` supplies what an environment cannot hold (a token cache, a retry schedule, ...).
 */
export const layerConfig = (overrides: Partial<Options> = {}): Layer.Layer<LarkConfig, LarkConfigError> =>
  Layer.effect(
    LarkConfig,
    Effect.flatMap(readEnvironment, (fromEnv) =>
      make({ ...fromEnv, ...definedOnly(overrides) }).pipe(
        // make() names option fields; here the user set environment variables, so name those.
        Effect.mapError((error) =>
          new LarkConfigError({ variable: environmentNames[error.variable] ?? error.variable, detail: error.detail })
        )
      ))
  )

const environmentNames: Record<string, string> = {
  appId: "LARK_APP_ID",
  appSecret: "LARK_APP_SECRET",
  domain: "LARK_DOMAIN",
  appType: "LARK_APP_TYPE"
}

const appTypeConfig = Dialect.parsedVariable(Dialect.stringVariable("LARK_APP_TYPE"), (value) => {
  const normalized = value.trim().toLowerCase().replace(/[-\s]/g, "_")
  if (normalized === "self_built" || normalized === "selfbuilt") return Dialect.succeed("self_built" as const)
  if (normalized === "marketplace" || normalized === "isv") return Dialect.succeed("marketplace" as const)
  return Dialect.fail(`expected "self_built" or "marketplace", got ${JSON.stringify(value)}`)
})

/** Each variable on its own, so a failure names the variable it is about. */
const variable = <A>(name: string, config: Config.Config<A>) =>
  Effect.mapError(config, (error) =>
    new LarkConfigError({
      variable: name,
      detail: Dialect.describeVariableError(error)
    }))

const readEnvironment = Effect.all({
  appId: variable("LARK_APP_ID", Dialect.nonEmptyStringVariable("LARK_APP_ID")),
  appSecret: variable("LARK_APP_SECRET", Config.option(Dialect.redactedVariable("LARK_APP_SECRET"))),
  domain: variable("LARK_DOMAIN", Config.withDefault(Dialect.stringVariable("LARK_DOMAIN"), "feishu")),
  appType: variable("LARK_APP_TYPE", Config.withDefault(appTypeConfig, "self_built" as const)),
  encryptKey: variable("LARK_ENCRYPT_KEY", Config.option(Dialect.redactedVariable("LARK_ENCRYPT_KEY"))),
  verificationToken: variable("LARK_VERIFICATION_TOKEN", Config.option(Dialect.redactedVariable("LARK_VERIFICATION_TOKEN")))
}).pipe(Effect.map((env) => ({
  appId: env.appId,
  appSecret: Option.getOrUndefined(env.appSecret),
  domain: env.domain,
  appType: env.appType,
  encryptKey: Option.getOrUndefined(env.encryptKey),
  verificationToken: Option.getOrUndefined(env.verificationToken)
})))

const definedOnly = <A extends object>(options: A): Partial<A> =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<A>
