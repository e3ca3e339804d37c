/**
 * The Effect 4 side of `tests/dialect.ts`: the same names, written for effect 4.x (what each one is for is
 * documented there, with its Effect 4 spelling). The edition's suite (`npm run edition:test`) runs with this file
 * in that one's place (docs/effect4.md); tests/effect4 checks that both export the same names.
 */
import { it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpRouter from "effect/http/HttpRouter"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { LogEntry, SpanHooks, SpanStart } from "./tracing.js"

export const withVariables = (variables: Record<string, string>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provide(self, ConfigProvider.layer(ConfigProvider.fromUnknown(variables, { preserveEmptyStrings: true })))

export const sample = <A>(schema: Schema.Codec<A, any>, options: { readonly count: number; readonly seed: number }): Array<A> => [
  ...Effect.runSync(Arbitrary.sampleEffect(Arbitrary.schema(schema), { count: options.count, seed: options.seed }))
]

export const propertyRuns = (runs: number) => ({ arbitrary: { runs } })

export const lenientDecodeKeepsUnknownFields: boolean = false

export const failuresOf = <E>(cause: Cause.Cause<E>): Array<E> => cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error)

export const defectsOf = <E>(cause: Cause.Cause<E>): Array<unknown> => cause.reasons.filter(Cause.isDieReason).map((reason) => reason.defect)

export type { LogEntry, SpanHooks, SpanStart }

const ignore = () => {}

export const makeTracer = (start: (span: SpanStart) => SpanHooks): Tracer.Tracer =>
  Tracer.make({
    span: ({ annotations, kind, links, name, parent, startTime }) => {
      const hooks = start({ name, parent, links, startTime, kind })
      return {
        _tag: "Span", name, spanId: hooks.spanId ?? name, traceId: "trace", parent, annotations, links, sampled: true, kind,
        status: { _tag: "Started", startTime },
        attributes: hooks.attributes ?? new Map(),
        attribute: hooks.attribute ?? ignore,
        event: hooks.event ?? ignore,
        addLinks: hooks.addLinks ?? ignore,
        end: hooks.end
      }
    }
  })

export const fork = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> => Effect.forkChild(self)

export const yieldNow: Effect.Effect<void> = Effect.yieldNow

export const withLogsTo = (record: (entry: LogEntry) => void) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(
    Effect.provide(Logger.layer([
      Logger.make(({ cause, fiber, logLevel, message }) =>
        record({
          message,
          annotations: fiber.getRef(References.CurrentLogAnnotations),
          cause,
          logLevel,
          spans: fiber.getRef(References.CurrentLogSpans)
        }))
    ])),
    Effect.provideService(References.MinimumLogLevel, "All")
  )

export const withConsoleTo = (record: (line: string) => void) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const capture = (...args: ReadonlyArray<unknown>) => record(args.map(String).join(" "))
  return Console.consoleWith((base) => Effect.provideService(self, Console.Console, { ...base, log: capture, error: capture }))
}

export type LogLevelName = "All" | "Trace" | "Debug" | "Info" | "Warning" | "Error" | "Fatal" | "None"

export const withMinimumLogLevel = (level: LogLevelName) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, References.MinimumLogLevel, level === "Warning" ? "Warn" : level)

export const scoped: typeof it.effect = it.effect

export const scopedLive: typeof it.live = it.live

export const pollUnsafe = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | undefined => fiber.pollUnsafe()

export { appRuntime } from "../src/internal/dialect.js"

export type PostRoute = readonly [path: `/${string}`, app: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, any>]

export const postRoutes = (routes: ReadonlyArray<PostRoute>): Effect.Effect<Effect.Effect<HttpServerResponse.HttpServerResponse, any, any>, never, Scope.Scope> =>
  HttpRouter.toHttpEffect(Layer.mergeAll(...routes.map(([path, app]) => HttpRouter.add("POST", path, app)) as [Layer.Layer<never, never, any>])) as any

const requestReasons: ReadonlySet<string> = new Set(["TransportError", "EncodeError", "InvalidUrlError"])

export const clientErrorKind = (error: HttpClientError.HttpClientError): string =>
  `${requestReasons.has(error.reason._tag) ? "RequestError" : "ResponseError"}.${error.reason._tag.replace(/Error$/, "")}`

export const tapScheduleInput = <In>(f: (input: In) => Effect.Effect<unknown>) =>
<Out>(self: Schedule.Schedule<Out, In>): Schedule.Schedule<Out, In> =>
  Schedule.fromStep(Effect.map(Schedule.toStep(self), (step) => (now: number, input: In) => Effect.andThen(f(input), step(now, input))))
