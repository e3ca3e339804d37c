/**
 * The test side of `src/internal/dialect.ts`: the few things the tests need that Effect 3 and Effect 4 spell
 * differently, with no spelling common to both. Tests import these names from here; the Effect 4 edition's suite
 * (`npm run edition:test`) runs with `editions/effect4/testDialect.ts` in this file's place, which exports the same
 * names written for Effect 4 (docs/effect4.md). Keep it small: a test written the same on both majors does not
 * come here. Each export says its Effect 4 spelling.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpRouter from "@effect/platform/HttpRouter"
import { it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import type * as Fiber from "effect/Fiber"
import * as LogLevel from "effect/LogLevel"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Tracer from "effect/Tracer"
import type { LogEntry, SpanHooks, SpanStart } from "./tracing.js"

/**
 * Runs an effect with `variables` as its environment (what `Config` reads). Effect 4:
 * `Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(variables, { preserveEmptyStrings: true })))`.
 */
export const withVariables = (variables: Record<string, string>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withConfigProvider(self, ConfigProvider.fromMap(new Map(Object.entries(variables))))

/**
 * `count` values of `schema`'s type, generated from `seed` (the same values on every run of one major).
 * Effect 4: `Arbitrary.sampleEffect(Arbitrary.schema(schema), { count, seed })` (Effect's own generator; Effect 3
 * uses fast-check).
 */
export const sample = <A>(schema: Schema.Schema<A, any>, options: { readonly count: number; readonly seed: number }): Array<A> =>
  FastCheck.sample(Arbitrary.make(schema), { numRuns: options.count, seed: options.seed })

/** The options of `it.prop` / `it.effect.prop` for `runs` generated cases. Effect 4: `{ arbitrary: { runs } }`. */
export const propertyRuns = (runs: number) => ({ fastCheck: { numRuns: runs } })

/**
 * Whether the full lenient decode (`lenientDecode` of `src/internal/dialect.ts`, what a schema with a
 * transformation goes through) keeps the fields its schema does not know. Effect 4: `false` (no
 * `onExcessProperty: "preserve"`; plain schemas keep them all the same, through `Schema.is`).
 */
export const lenientDecodeKeepsUnknownFields: boolean = true

/** The failures of a cause, in order. Effect 4: the `Fail` reasons of `cause.reasons`. */
export const failuresOf = <E>(cause: Cause.Cause<E>): Array<E> => [...Cause.failures(cause)]

/** The defects of a cause, in order. Effect 4: the `Die` reasons of `cause.reasons`. */
export const defectsOf = <E>(cause: Cause.Cause<E>): Array<unknown> => [...Cause.defects(cause)]

export type { LogEntry, SpanHooks, SpanStart }

const ignore = () => {}

/**
 * A tracer whose spans (sampled, in trace `"trace"`) report to the hooks `start` gives each. Effect 4:
 * `Tracer.make({ span: (options) => ... })`, one options object, the span's `annotations` for Effect 3's `context`.
 */
export const makeTracer = (start: (span: SpanStart) => SpanHooks): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const hooks = start({ name, parent, links, startTime, kind })
      return {
        _tag: "Span", name, spanId: hooks.spanId ?? name, traceId: "trace", parent, context, links, sampled: true, kind,
        status: { _tag: "Started", startTime },
        attributes: hooks.attributes ?? new Map(),
        attribute: hooks.attribute ?? ignore,
        event: hooks.event ?? ignore,
        addLinks: hooks.addLinks ?? ignore,
        end: hooks.end
      }
    },
    context: (f) => f()
  })

/** Starts `self` on a child fiber of the current one. Effect 4: `Effect.forkChild`. */
export const fork: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<Fiber.RuntimeFiber<A, E>, never, R> = Effect.fork

/** Lets other fibers run before going on. Effect 4: `Effect.yieldNow`, an effect (not a function). */
export const yieldNow: Effect.Effect<void> = Effect.yieldNow()

/**
 * Runs `self` with every log line, at every level, handed to `record` (and to no other logger). Effect 4:
 * `Logger.layer([logger])` and the `References.MinimumLogLevel` reference, annotations and spans read from the fiber.
 */
export const withLogsTo = (record: (entry: LogEntry) => void) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(
    Effect.provide(Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, cause, logLevel, message, spans }) => record({ message, annotations, cause, logLevel, spans }))
    )),
    Logger.withMinimumLogLevel(LogLevel.All)
  )

/**
 * Runs `self` with what it prints through `Console.log` and `Console.error` handed to `record`, one line a call (its
 * arguments joined by spaces), instead of printed. Effect 4: `Effect.provideService(Console.Console, ...)`, whose
 * methods return nothing (Effect 3's `Effect.withConsole` takes methods that return effects). On Effect 4 the default
 * logger prints through the `Console` service too, so log lines are recorded as well: a test of what a program
 * prints alone sets `withMinimumLogLevel` above the SDK's logs.
 */
export const withConsoleTo = (record: (line: string) => void) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const capture = (...args: ReadonlyArray<unknown>) => Effect.sync(() => record(args.map(String).join(" ")))
  return Effect.flatMap(Effect.console, (base) => Effect.withConsole(self, { ...base, log: capture, error: capture } as Console.Console))
}

/** The log levels tests name, in Effect 3's spelling (Effect 4 says `"Warn"` for `"Warning"`). */
export type LogLevelName = "All" | "Trace" | "Debug" | "Info" | "Warning" | "Error" | "Fatal" | "None"

/**
 * Runs `self` logging at `level` and above only. Effect 4: `Effect.provideService(References.MinimumLogLevel, level)`
 * (`"Warn"` for `"Warning"`).
 */
export const withMinimumLogLevel = (level: LogLevelName) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Logger.withMinimumLogLevel(self, LogLevel.fromLiteral(level))

/** A test of a scoped effect on the test clock (its scope closes when it ends). Effect 4: `it.effect`, which is scoped. */
export const scoped: typeof it.scoped = it.scoped

/** A test of a scoped effect on the live clock. Effect 4: `it.live`, which is scoped. */
export const scopedLive: typeof it.scopedLive = it.scopedLive

/** The fiber's exit if it is done, else `undefined`, read now. Effect 4: `fiber.pollUnsafe()`. */
export const pollUnsafe = <A, E>(fiber: Fiber.RuntimeFiber<A, E>): Exit.Exit<A, E> | undefined => fiber.unsafePoll() ?? undefined

/**
 * What the framework adapters (`nodeListener`, `expressHandler`, ...) run effects on: the current fiber's runtime.
 * The source's own (`src/internal/dialect.ts`, which the examples use too). Effect 4: `Effect.context<R>()`.
 */
export { appRuntime } from "../src/internal/dialect.js"

/** A POST route: its path and the app that answers it. */
export type PostRoute = readonly [path: `/${string}`, app: HttpApp.Default<unknown, never>]

/**
 * An HTTP app (what `HttpServer.serve` takes) that answers POSTs on each route's path with its app. Effect 4:
 * `HttpRouter.toHttpEffect` of the `HttpRouter.add("POST", path, app)` layers (made in the current scope).
 */
export const postRoutes = (routes: ReadonlyArray<PostRoute>): Effect.Effect<HttpApp.Default<unknown, never>> =>
  Effect.succeed(routes.reduce<HttpRouter.HttpRouter<unknown, never>>((router, [path, app]) => HttpRouter.post(router, path, app), HttpRouter.empty))

/**
 * What failed in an HTTP client, in Effect 3's names: `"RequestError.Transport"`, `"RequestError.Encode"`,
 * `"ResponseError.Decode"`, ... (the error's `_tag` and `reason`). Effect 4: one `HttpClientError`, whose `reason`
 * class names it (`TransportError` is `"RequestError.Transport"`, `DecodeError` is `"ResponseError.Decode"`, ...).
 */
export const clientErrorKind = (error: HttpClientError.HttpClientError): string => `${error._tag}.${error.reason}`

/**
 * `self`, running `f` on each input it is given, the one that ends it too. Effect 4: a `Schedule.fromStep` over
 * `Schedule.toStep(self)` (its `Schedule.tap` sees only the steps that go on).
 */
export const tapScheduleInput = <In>(f: (input: In) => Effect.Effect<unknown>) =>
<Out>(self: Schedule.Schedule<Out, In>): Schedule.Schedule<Out, In> => Schedule.tapInput(self, f)
