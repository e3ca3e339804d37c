/**
 * LarkConfig on Effect 4: `make` with good options, a typed `LarkConfigError` for bad ones, `layerConfig` reading
 * variables from a `ConfigProvider`, and single-flight token fetches. Prints one JSON line for
 * tests/effect4/edition.test.ts to check.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as LarkConfig from "../src/LarkConfig.js"
import * as SingleFlight from "../src/internal/singleFlight.js"

const made = Effect.gen(function*() {
  const config = yield* LarkConfig.make({ appId: "cli_a", appSecret: Redacted.make("s"), domain: "lark" })
  return { appId: config.appId, domain: config.domain.open, timeoutMillis: config.timeout }
})

const refused = (options: LarkConfig.Options) =>
  LarkConfig.make(options).pipe(
    Effect.flip,
    Effect.map((error) => ({ tag: error._tag, variable: error.variable, detail: error.detail, message: error.message }))
  )

const fromEnvironment = (variables: Record<string, string>) =>
  LarkConfig.LarkConfig.pipe(
    Effect.map((config) => ({ appId: config.appId, appType: config.appType, domain: config.domain.open })),
    Effect.provide(LarkConfig.layerConfig()),
    Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(variables))),
    Effect.result,
    Effect.map(Result.match({ onSuccess: (value) => ({ ok: value }), onFailure: (error) => ({ error: error.message }) }))
  )

const singleFlight = Effect.gen(function*() {
  const flights = SingleFlight.make()
  const release = yield* Deferred.make<void>()
  let runs = 0
  const fetch = flights.run("tenant", Effect.sync(() => ++runs).pipe(Effect.tap(() => Deferred.await(release))))
  const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(fetch))
  yield* Effect.yieldNow
  yield* Deferred.succeed(release, undefined)
  const answers = yield* Fiber.joinAll(fibers)
  const again = yield* flights.run("tenant", Effect.sync(() => ++runs))
  return { answers, runs, again }
})

const program = Effect.all({
  made,
  emptyAppId: refused({ appId: " ", appSecret: Redacted.make("s") }),
  badDomain: refused({ appId: "cli_a", appSecret: Redacted.make("s"), domain: "ftp://example.com" }),
  environment: fromEnvironment({ LARK_APP_ID: "cli_env", LARK_APP_SECRET: "s", LARK_APP_TYPE: "isv" }),
  missingAppId: fromEnvironment({ LARK_APP_SECRET: "s" }),
  badAppType: fromEnvironment({ LARK_APP_ID: "cli_env", LARK_APP_SECRET: "s", LARK_APP_TYPE: "other" }),
  singleFlight
})

Effect.runPromise(program).then((result) => console.log(JSON.stringify(result)))
