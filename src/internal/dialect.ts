/**
 * The one place where lark-effect's two editions differ: what Effect 3 and Effect 4 spell differently. Modules
 * import these names from here instead of from `effect` or `@effect/platform`; the Effect 4 edition is built
 * with `editions/effect4/dialect.ts` in this file's place, which exports the same names written for Effect 4
 * (docs/effect4.md). Keep it small: only what differs, each export saying its Effect 4 spelling.
 */
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as SubscriptionRef from "effect/SubscriptionRef"
import * as Tracer from "effect/Tracer"
import type * as Undici from "undici"
import type { ContextDeadline } from "../AttemptTimeout.js"
import { guardOf } from "./guard.js"
import { locallyWith } from "./locally.js"
import { raceClock } from "./raceClock.js"

/** A success or a failure, returned by pure checks. Effect 4: `Result.Result<A, E>`. */
export type Outcome<A, E> = Either.Either<A, E>

/** Effect 4: `Result.succeed`. */
export const succeed: <A>(value: A) => Outcome<A, never> = Either.right

/** Effect 4: `Result.fail`. */
export const fail: <E>(error: E) => Outcome<never, E> = Either.left

/** A failed outcome. Effect 4: `Result.Failure<A, E>`. */
export type Failed<A, E> = Either.Left<E, A>

/** A successful outcome. Effect 4: `Result.Success<A, E>`. */
export type Succeeded<A, E> = Either.Right<E, A>

/** Effect 4: `Result.isFailure`. */
export const isFailure: <A, E>(outcome: Outcome<A, E>) => outcome is Failed<A, E> = Either.isLeft

/** Effect 4: `result.failure`. */
export const getFailure = <A, E>(outcome: Failed<A, E>): E => outcome.left

/** Effect 4: `result.success`. */
export const getSuccess = <A, E>(outcome: Succeeded<A, E>): A => outcome.right

/** The outcome as an effect. Effect 4: `Effect.fromResult`; in Effect 3 an `Either` is an `Effect` already (no cost). */
export const fromOutcome = <A, E>(outcome: Outcome<A, E>): Effect.Effect<A, E> => outcome

/** Effect 4: `Result.flatMap`. */
export const flatMapOutcome = <A, E, B, E2>(outcome: Outcome<A, E>, f: (value: A) => Outcome<B, E2>): Outcome<B, E | E2> =>
  Either.flatMap(outcome, f)

/** Effect 4: `Result.mapError`. */
export const mapOutcomeError = <A, E, E2>(outcome: Outcome<A, E>, f: (error: E) => E2): Outcome<A, E2> => Either.mapLeft(outcome, f)

/** Effect 4: `Result.mapBoth` (`onFailure`, `onSuccess`). */
export const mapOutcomeBoth = <A, E, B, E2>(
  outcome: Outcome<A, E>,
  cases: { readonly onFailure: (error: E) => E2; readonly onSuccess: (value: A) => B }
): Outcome<B, E2> => Either.mapBoth(outcome, { onLeft: cases.onFailure, onRight: cases.onSuccess })

/** Effect 4: `Result.map`. */
export const mapOutcome = <A, E, B>(outcome: Outcome<A, E>, f: (value: A) => B): Outcome<B, E> => Either.map(outcome, f)

/** Effect 4: `Result.match` (`onFailure`, `onSuccess`); Effect 3 names them `onLeft`, `onRight`. */
export const matchOutcome = <A, E, B, C = B>(
  outcome: Outcome<A, E>,
  cases: { readonly onFailure: (error: E) => B; readonly onSuccess: (value: A) => C }
): B | C => Either.match(outcome, { onLeft: cases.onFailure, onRight: cases.onSuccess })

/**
 * A service key to extend: `class X extends Service<X, Shape>()("key") {}`.
 * Effect 4: `Context.Service<X, Shape>()("key")`; Effect 3: `Context.Tag("key")<X, Shape>()`.
 */
export const Service = <Self, Shape>() => <const Key extends string>(key: Key): Context.TagClass<Self, Key, Shape> =>
  Context.Tag(key)<Self, Shape>()

/** A literal union schema. Effect 4: `Schema.Literals([...])`; Effect 3: `Schema.Literal(...)`. */
export const Literals = <const Values extends ReadonlyArray<string>>(...values: Values): Schema.Schema<Values[number]> =>
  Schema.Literal(...values)

/**
 * An optional field that decodes (and constructs) to `make()` when absent.
 * Effect 4: the schema with `Schema.withConstructorDefault` and `Schema.withDecodingDefaultKey`.
 */
export const optionalWithDefault = <A, I>(schema: Schema.Schema<A, I>, make: () => A) =>
  Schema.optionalWith(schema, { default: make })

/** Environment variables (read through the current `ConfigProvider`). Effect 4: `Config.String`. */
export const stringVariable: (name: string) => Config.Config<string> = Config.string

/** Effect 4: `Config.NonEmptyString`. */
export const nonEmptyStringVariable: (name: string) => Config.Config<string> = Config.nonEmptyString

/** Effect 4: `Config.Redacted`. */
export const redactedVariable = (name: string): Config.Config<Redacted.Redacted<string>> => Config.redacted(name)

/** A variable checked by `parse`, whose failure message says what is wrong. Effect 4: `Config.mapOrFail` is gone (`Config.mapEffect`). */
export const parsedVariable = <A, B>(config: Config.Config<A>, parse: (value: A) => Outcome<B, string>): Config.Config<B> =>
  Config.mapOrFail(config, (value) => Either.mapLeft(parse(value), (message) => ConfigError.InvalidData([], message)))

/** What is wrong with a variable: "is not set", or the reason. Effect 4: one `Config.ConfigError` wrapping a `SchemaError`. */
export const describeVariableError = (error: ConfigError.ConfigError): string =>
  ConfigError.isMissingData(error) ? "is not set" : ConfigError.isInvalidData(error) ? error.message : String(error)

/** What a duration can be given as (`"3 minutes"`, millis, a `Duration`). Effect 4: `Duration.Input`. */
export type DurationInput = Duration.DurationInput

/** Effect 4: `Duration.fromInputUnsafe`. */
export const decodeDuration: (input: DurationInput) => Duration.Duration = Duration.decode

/** Effect 4: `Option.fromNullishOr`. */
export const optionFromNullable: <A>(value: A) => Option.Option<NonNullable<A>> = Option.fromNullable

/** A field holding any thrown value. Effect 4: `Schema.Defect()`. */
export const Defect = Schema.Defect

/** Recurs while both recur, waiting the longer delay. Effect 4: `Schedule.max([self, that])`. */
export const intersectSchedules = <Out, Out2, In>(
  self: Schedule.Schedule<Out, In>,
  that: Schedule.Schedule<Out2, In>
): Schedule.Schedule<unknown, In> => Schedule.intersect(self, that)

/**
 * `schedule` over the failures it is fed, each delay at least `floor(failure)`. Effect 4: `Schedule.modifyDelay`
 * reads the input from the step's metadata (Effect 3 pairs the schedule with `Schedule.identity` to see it).
 */
export const withDelayFloor = <E>(
  schedule: Schedule.Schedule<unknown, unknown>,
  floor: (failure: E) => Duration.Duration
): Schedule.Schedule<unknown, E> =>
  Schedule.intersect(Schedule.identity<E>(), schedule).pipe(
    Schedule.modifyDelay(([failure], delay) => Duration.max(delay, floor(failure)))
  )

/** Effect 4: `Effect.catchCause`. */
export const catchAllCause: <E, A2, E2, R2>(
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAllCause

/** Effect 4: `Cause.hasInterruptsOnly`. */
export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.isInterruptedOnly

/** Effect 4: `Exit.hasInterrupts`. */
export const isInterruptedExit: <A, E>(exit: Exit.Exit<A, E>) => boolean = Exit.isInterrupted

/**
 * Runs `f` with a maker of deferreds that needs no effect (so a check-then-insert stays atomic).
 * Effect 4: `Deferred.makeUnsafe()`; Effect 3's `Deferred.unsafeMake` wants the fiber id.
 */
export const withDeferredMaker = <A, E, R>(
  f: (make: <X, Y>() => Deferred.Deferred<X, Y>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.fiberIdWith((fiberId) => f(() => Deferred.unsafeMake(fiberId)))

/** The clock's time now, without an effect. Effect 4: `clock.currentTimeMillisUnsafe()`. */
export const currentTimeMillis = (clock: Clock.Clock): number => clock.unsafeCurrentTimeMillis()

/**
 * The live clock, `offset()` milliseconds ahead: a long run can pretend hours went by (expiring what is kept
 * that long) while its sleeps take real time. Effect 4: a `Clock` with `currentTimeMillisUnsafe` and the like.
 */
export const liveClockAhead = (offset: () => number): Clock.Clock => {
  const live = Clock.make()
  const millis = () => live.unsafeCurrentTimeMillis() + offset()
  const nanos = () => live.unsafeCurrentTimeNanos() + BigInt(offset()) * 1_000_000n
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (duration) => live.sleep(duration)
  }
}

/** Runs `effect` on `clock`. Effect 4: the `Clock.Clock` reference provided. */
export const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>, clock: Clock.Clock): Effect.Effect<A, E, R> =>
  Effect.withClock(effect, clock)

/** Effect 4: `Effect.ignore({ log: true })`. */
export const ignoreLogged: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<void, never, R> = Effect.ignoreLogged

/** One element per step. Effect 4: `Stream.paginate` emits an array per step. */
export const paginate: <S, A, E, R>(
  seed: S,
  f: (state: S) => Effect.Effect<readonly [A, Option.Option<S>], E, R>
) => Stream.Stream<A, E, R> = Stream.paginateEffect

/** Effect 4: `Stream.flattenIterable` of `Stream.map`. */
export const mapConcat = <A, B, E, R>(self: Stream.Stream<A, E, R>, f: (value: A) => Iterable<B>): Stream.Stream<B, E, R> =>
  Stream.mapConcat(self, f)

/** A schema that decodes to `A` (and encodes back). Effect 4: `Schema.Codec<A, any>`. */
export type SchemaOf<A> = Schema.Schema<A, any>

/** Why a value did not decode. Effect 4: `Schema.SchemaError`. */
export type DecodeError = ParseResult.ParseError

/** Effect 4: `error.message`. */
export const formatDecodeError = (error: DecodeError): string => ParseResult.TreeFormatter.formatErrorSync(error)

/** Effect 4: `Schema.decodeUnknownResult`. */
export const decodeUnknownOutcome = <A>(schema: SchemaOf<A>): (value: unknown) => Outcome<A, DecodeError> =>
  Schema.decodeUnknownEither(schema)

const lenient = { onExcessProperty: "preserve", errors: "all" } as const

/**
 * Decodes keeping unknown fields. Effect 4 has no `onExcessProperty: "preserve"`: it drops them (`"ignore"`), so a
 * plain schema's value, which passes `Schema.is`, is kept as it is there (`plainSchema.ts`).
 */
export const lenientDecode = (schema: SchemaOf<any>): (value: unknown) => Outcome<unknown, DecodeError> =>
  Schema.decodeUnknownEither(schema, lenient)

/** Encodes keeping unknown fields (Effect 4: see {@link lenientDecode}). */
export const lenientEncode = (schema: SchemaOf<any>): (value: unknown) => Outcome<unknown, DecodeError> =>
  Schema.encodeUnknownEither(schema, lenient)

/**
 * Whether a schema's decoded and encoded forms are the same value: no transformation or declaration anywhere
 * in it. Effect 4: its AST marks transformations with `encoding` on the node (other node names too).
 */
export const isPlain = (ast: AST.AST, seen: Set<AST.AST> = new Set()): boolean => {
  switch (ast._tag) {
    case "Transformation":
    case "Declaration":
      return false
    case "Refinement":
      return isPlain(ast.from, seen)
    case "Suspend": {
      if (seen.has(ast)) return true
      seen.add(ast)
      return isPlain(ast.f(), seen)
    }
    case "TypeLiteral":
      return ast.propertySignatures.every((property) => isPlain(property.type, seen)) &&
        ast.indexSignatures.every((index) => isPlain(index.type, seen))
    case "TupleType":
      return ast.elements.every((element) => isPlain(element.type, seen)) &&
        ast.rest.every((rest) => isPlain(rest.type, seen))
    case "Union":
      return ast.types.every((member) => isPlain(member, seen))
    default:
      return true
  }
}

/**
 * `Schema.is(schema)`, compiled into plain predicates (`guard.ts`): the same answer, a fraction of the work on the
 * per-call path. Effect 4: `Schema.is`.
 */
export const guardFor = <A>(schema: SchemaOf<A>): (value: unknown) => value is A =>
  guardOf(AST.typeAST(schema.ast)) as (value: unknown) => value is A

/**
 * Races an attempt against the `Clock`, failing with `onTimeout()` when it has not ended in time. Effect 3's,
 * `raceClock.ts`, spares a fiber and a timer under the live clock. Effect 4: `Effect.timeoutOrElse`.
 */
export { raceClock }

/**
 * The transport's way to bound an attempt (see `AttemptTimeout.ts`), a reference with a default.
 * Effect 4: `Context.Reference<ContextDeadline>(key, { defaultValue })`, a value (no class to extend).
 */
export class AttemptDeadline extends Context.Reference<AttemptDeadline>()("lark-effect/AttemptDeadline", {
  defaultValue: (): ContextDeadline => () => undefined
}) {}

/** Runs `effect` with its context changed by `patch`. Effect 4: `Effect.updateContext`. */
export const withContextPatched = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  patch: (context: Context.Context<never>) => Context.Context<never>
): Effect.Effect<A, E, R> => Effect.locallyWith(effect, FiberRef.currentContext, patch)

const always = () => true

/** Runs `effect` with the HTTP client making no span of its own. Effect 4: `HttpClient.TracerDisabledWhen`. */
export const withoutClientSpans = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  locallyWith(effect, HttpClient.currentTracerDisabledWhen, () => always)

/** Runs `effect` with more header names masked in logs and traces. Effect 4: `Headers.CurrentRedactedNames`. */
export const withRedactedNames = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  f: (names: ReadonlyArray<string | RegExp>) => ReadonlyArray<string | RegExp>
): Effect.Effect<A, E, R> => Effect.locallyWith(effect, Headers.currentRedactedNames, f)

/**
 * Which way an HTTP client failure went: the request could not be encoded, could not be sent, or its answer could
 * not be received. Effect 4: one `HttpClientError` whose `reason` is `TransportError`, `EncodeError`, ... .
 */
export const clientFailureSide = (error: HttpClientError.HttpClientError): "Send" | "Encode" | "Receive" =>
  error._tag === "ResponseError" ? "Receive" : error.reason === "Transport" ? "Send" : "Encode"

/** Why a client could not send a request. Effect 4: `HttpClientError.HttpClientError` (one class for all). */
export type RequestFailure = HttpClientError.RequestError

/** Why a client could not read an answer. Effect 4: `HttpClientError.HttpClientError` (one class for all). */
export type ResponseFailure = HttpClientError.ResponseError

/** Effect 4: `new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause, description }) })`. */
export const failedToEncode = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string): RequestFailure =>
  new HttpClientError.RequestError({ request, reason: "Encode", cause, description })

/** Effect 4: `new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })`. */
export const failedToSend = (request: HttpClientRequest.HttpClientRequest, cause: unknown): RequestFailure =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/** Effect 4: `new HttpClientError.HttpClientError({ reason: new HttpClientError.DecodeError({ request, response, cause, description }) })`. */
export const failedToDecode = (response: HttpClientResponse.HttpClientResponse, cause: unknown, description?: string): ResponseFailure =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause, description })

/** Effect's built-in tracer: it keeps spans in memory and hands them to no exporter. */
const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * `f(true)` when the fiber's tracer is Effect's built-in one, whose spans reach no exporter, else `f(false)`.
 * Effect 4: the `Tracer.Tracer` reference compared with `Tracer.nativeTracer`.
 */
export const withBuiltInTracer = <A, E, R>(f: (builtIn: boolean) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => f(tracer === builtInTracer))

/** A client span whose stack is not captured. Effect 4: `Effect.makeSpan` (which captures none). */
export const makeClientSpan = (name: string, attributes: Record<string, unknown>): Effect.Effect<Tracer.Span> =>
  Effect.makeSpan(name, { kind: "client", captureStackTrace: false, attributes })

/**
 * Runs `effect` under `span` as its parent and ends the span with its exit, on the fiber's clock (`Effect.withSpan`
 * for a span made beforehand, with the cheaper {@link locallyWith}). Effect 4: `Effect.withParentSpan` and
 * `Effect.onExit`.
 */
export const underSpan = <A, E, R>(effect: Effect.Effect<A, E, R>, span: Tracer.Span): Effect.Effect<A, E, R> =>
  locallyWith(effect, FiberRef.currentContext, (context) => Context.add(context, Tracer.ParentSpan, span), (exit, fiber) => {
    const clock = Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
    span.end(fiber.getFiberRef(FiberRef.currentTracerTimingEnabled) ? clock.unsafeCurrentTimeNanos() : 0n, exit)
  })

/** A union schema of the members. Effect 4: `Schema.Union([...members])`. */
export const Union = <const Members extends ReadonlyArray<Schema.Schema.All>>(...members: Members) =>
  Schema.Union(...members)

/**
 * A service key with a default value, to extend: `class X extends Reference<X>()("key", { defaultValue }) {}`.
 * Effect 4: `Context.Reference<Shape>(key, { defaultValue })`, whose identifier is `never` (nothing to provide).
 */
export const Reference = Context.Reference

/**
 * A value each fiber sees, `initial` unless set for an effect (`Effect.locally`); itself an effect that reads it.
 * Effect 4: `Context.Reference<A>(key, { defaultValue: () => initial })`, set with `Effect.provideService`.
 */
export type LocalSetting<A> = FiberRef.FiberRef<A>

/** Effect 4: `Context.Reference<A>(key, { defaultValue: () => initial })`. */
export const localSetting = <A>(_key: string, initial: A): LocalSetting<A> => FiberRef.unsafeMake(initial)

/** Fails with `onTimeout()` when `self` has not ended within `duration`. Effect 4: `Effect.timeoutOrElse` with `orElse` failing. */
export const timeoutFail: <E1>(
  options: { readonly onTimeout: () => E1; readonly duration: DurationInput }
) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | E1, R> = Effect.timeoutFail

/** Runs a generator of outcomes (`yield*` one to go on with its success). Effect 4: `Result.gen`. */
export const outcomeGen: typeof Either.gen = Either.gen

/** All successes, or the first failure. Effect 4: `Result.all`. */
export const allOutcomes: typeof Either.all = Either.all

/** A non-null object that is not an array. Effect 4: `Predicate.isObject`. */
export const isRecord: (input: unknown) => input is { [x: string | symbol]: unknown } = Predicate.isRecord

/** The client without trace headers on its requests (spans are kept). Effect 4: the `HttpClient.TracerPropagationEnabled` reference set to `false`. */
export const withoutTracerPropagation = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.withTracerPropagation(client, false)

/** An effect resumed by a callback, which may return a cleanup run on interruption. Effect 4: `Effect.callback`. */
export const callback: <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void, signal: AbortSignal) => void | Effect.Effect<void, never, R>
) => Effect.Effect<A, E, R> = Effect.async

/** Effect 4: `Queue.offerUnsafe`. */
export const offerUnsafe = <A>(queue: Queue.Enqueue<A>, value: A): boolean => Queue.unsafeOffer(queue, value)

/** Effect 4: `Deferred.doneUnsafe`. */
export const doneUnsafe: <A, E>(deferred: Deferred.Deferred<A, E>, effect: Effect.Effect<A, E>) => void = Deferred.unsafeDone

/** A layer of a service made in the layer's scope. Effect 4: `Layer.effect` (which gives the effect that scope). */
export const scopedLayer = <I, S, E, R>(tag: Context.Tag<I, S>, effect: Effect.Effect<S, E, R>): Layer.Layer<I, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(tag, effect)

/** A layer of the services of a context made in the layer's scope. Effect 4: `Layer.effectContext`. */
export const scopedContextLayer: <A, E, R>(
  effect: Effect.Effect<Context.Context<A>, E, R>
) => Layer.Layer<A, E, Exclude<R, Scope.Scope>> = Layer.scopedContext

/** Dies with an error saying `message`. Effect 4: `Effect.die(new Error(message))`. */
export const dieMessage: (message: string) => Effect.Effect<never> = Effect.dieMessage

/** Standard base64 of bytes or of a string's UTF-8. Effect 4: `Base64.encode` (`effect/encoding/Base64`). */
export const encodeBase64: (input: Uint8Array | string) => string = Encoding.encodeBase64

/** Effect 4: `Base64.decode` (`effect/encoding/Base64`), a `Result`. */
export const decodeBase64 = (text: string): Outcome<Uint8Array, unknown> => Encoding.decodeBase64(text)

/**
 * Runs effects on the caller's stack with the current fiber's services: a runner answering the exit of an effect
 * that ended synchronously, else the fiber still running it. Effect 4: `Effect.runSyncExitWith(context)` (of
 * `Effect.context<R>()`), where the fiber comes in a `Cause.AsyncFiberError` defect.
 */
export const stackRunner = <R>(): Effect.Effect<
  <A, E>(effect: Effect.Effect<A, E, R>) => Exit.Exit<A, E> | Fiber.RuntimeFiber<A, E>,
  never,
  R
> =>
  Effect.map(Effect.runtime<R>(), (runtime) => {
    const runSyncExit = Runtime.runSyncExit(runtime)
    return <A, E>(effect: Effect.Effect<A, E, R>) => {
      const exit = runSyncExit(effect)
      if (Exit.isSuccess(exit)) return exit
      const defect = Cause.dieOption(exit.cause)
      // the fiber the exception carries is the one running `effect`
      return Option.isSome(defect) && Runtime.isAsyncFiberException(defect.value) ? defect.value.fiber as Fiber.RuntimeFiber<A, E> : exit
    }
  })

/** Effect 4: `FiberSet.addUnsafe`. */
export const addFiberUnsafe = <A, E>(set: FiberSet.FiberSet<A, E>, fiber: Fiber.RuntimeFiber<A, E>): void =>
  FiberSet.unsafeAdd(set, fiber)

/** Effect 4: `Effect.catch`. */

/** A layer built by an effect. Effect 4: `Layer.unwrap`. */
export const unwrapLayer: <A, E1, R1, E, R>(self: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>) => Layer.Layer<A, E | E1, R1 | R> =
  Layer.unwrapEffect

/** Recovers from any failure (not from defects). Effect 4: `Effect.catch`. */
export const catchAll: <E, A2, E2, R2>(
  f: (error: E) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAll

/** A schema of the JSON text of `schema`'s encoded form. Effect 4: `Schema.fromJsonString`. */
export const parseJson = <A, I>(schema: Schema.Schema<A, I>): Schema.Schema<A, string> => Schema.parseJson(schema)

/** Logs at warning level and above only, in logfmt on standard error. Effect 4: `Logger.layer` of `Logger.withConsoleError(Logger.formatLogFmt)` and `References.MinimumLogLevel` `"Warn"`. */
export const warningsOnStandardError = (): Layer.Layer<never> => Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
  Logger.minimumLogLevel(LogLevel.Warning)
)

/** Its current value, then every change. Effect 4: `SubscriptionRef.changes(ref)`. */
export const changesOf = <A>(ref: SubscriptionRef.SubscriptionRef<A>): Stream.Stream<A> => ref.changes

/** Effect 4: `Effect.tapCause`. */
export const tapErrorCause = <A, E, R, X, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (cause: Cause.Cause<E>) => Effect.Effect<X, E2, R2>
): Effect.Effect<A, E | E2, R | R2> => Effect.tapErrorCause(self, f)

/** Completes `deferred` with the exit of `self`. Effect 4: `Deferred.into(self, deferred)`. */
export const intoDeferred = <A, E, R>(self: Effect.Effect<A, E, R>, deferred: Deferred.Deferred<A, E>): Effect.Effect<boolean, never, R> =>
  Effect.intoDeferred(self, deferred)

/** A latch (`await`, `open`). Effect 4: `Latch.make`, a `Latch.Latch`. */
export const makeLatch: (open?: boolean) => Effect.Effect<Effect.Latch> = Effect.makeLatch

/** Interrupts `fiber` without waiting for it to end. Effect 4: `Effect.forkDetach(Fiber.interrupt(fiber))`. */
export const interruptFork: <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.Effect<void> = Fiber.interruptFork

/**
 * The pubsub's values from now on as a stream, subscribed in the scope. Effect 4: `Stream.fromSubscription` of
 * `PubSub.subscribe`.
 */
export const subscribe = <A>(pubsub: PubSub.PubSub<A>): Effect.Effect<Stream.Stream<A>, never, Scope.Scope> =>
  Effect.map(PubSub.subscribe(pubsub), (dequeue) => Stream.fromQueue(dequeue))

/** Runs `effect` with the fiber setting `ref` set to `value`. Effect 4: `Effect.provideService` of a `Context.Reference`. */
export const locally = <A, E, R, V>(effect: Effect.Effect<A, E, R>, ref: FiberRef.FiberRef<V>, value: V): Effect.Effect<A, E, R> =>
  Effect.locally(effect, ref, value)

/** The duration `input` stands for, if any. Effect 4: `Duration.fromInput`. */
export const decodeDurationOption: (input: DurationInput) => Option.Option<Duration.Duration> = Duration.decodeUnknown

/** Effect 4: `Stream.isStream`. */
export const isStream = (value: unknown): value is Stream.Stream<unknown, unknown, unknown> =>
  Predicate.hasProperty(value, Stream.StreamTypeId)

/** Whether `cause` holds an interruption (maybe among failures). Effect 4: `Cause.hasInterrupts`. */
export const isInterruptedCause: <E>(cause: Cause.Cause<E>) => boolean = Cause.isInterrupted

/**
 * Runs `f` with the fiber's context and its `Clock`, both read in one step. Effect 4: `Effect.withFiber`, with
 * `fiber.context` and `fiber.getRef(Clock.Clock)`.
 */
export const withContextAndClock = <A, E, R>(
  f: (context: Context.Context<never>, clock: Clock.Clock) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) => f(fiber.currentContext, Context.get(fiber.currentDefaultServices, Clock.Clock)))

/** Runs `f` with the fiber's context. Effect 4: `Effect.withFiber`, with `fiber.context`. */
export const withCurrentContext = <A, E, R>(
  f: (context: Context.Context<never>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.contextWithEffect(f)

/** The services of `context`, by key. Effect 4: `context.mapUnsafe`. */
export const servicesOf = (context: Context.Context<never>): ReadonlyMap<string, unknown> => context.unsafeMap

/** A schema from `I` to `A` that needs no service. Effect 4: `Schema.Codec<A, I>`. */
export type CodecOf<A, I> = Schema.Schema<A, I, never>

/** What an app's effects run on, holding the services they require. Effect 4: `Context.Context<R>` (no `Runtime`). */
export type AppRuntime<R> = Runtime.Runtime<R>

/**
 * Runs effects on `runtime`, handing each one's exit to `onExit` (at once when it ends without waiting): no
 * promise between the effect and its caller. Effect 4: `Effect.runForkWith(context)` and `addObserver`.
 */
export const runObservedOn = <R>(runtime: AppRuntime<R>) => {
  const fork = Runtime.runFork(runtime)
  return <A, E>(effect: Effect.Effect<A, E, R>, onExit: (exit: Exit.Exit<A, E>) => void): void =>
    fork(effect).addObserver(onExit)
}

/** What the adapters run on, taken from the current fiber: its runtime. Effect 4: `Effect.context<R>()`. */
export const appRuntime = <R = never>(): Effect.Effect<AppRuntime<R>, never, R> => Effect.runtime<R>()

/** Recurs once after each delay in turn, emitting it. Effect 4: `Schedule.fromStepWithMetadata` (no `fromDelays`). */
export const scheduleOfDelays = (first: DurationInput, ...rest: Array<DurationInput>): Schedule.Schedule<Duration.Duration> =>
  Schedule.fromDelays(first, ...rest)

/**
 * A way to start effects in the background from outside any fiber (an event listener), with the current
 * context. Effect 4: `Effect.context()` and `Effect.runForkWith`.
 */
export const currentForker: Effect.Effect<(effect: Effect.Effect<void>) => void> = Effect.map(
  Effect.runtime<never>(),
  (runtime) => (effect) => void Runtime.runFork(runtime)(effect)
)

/** Recurs while either recurs, waiting the shorter delay. Effect 4: `Schedule.min([self, that])`. */
export const unionSchedules = <Out, Out2, In>(
  self: Schedule.Schedule<Out, In>,
  that: Schedule.Schedule<Out2, In>
): Schedule.Schedule<unknown, In> => Schedule.union(self, that)

/** `schedule` for at most `duration` from its start. Effect 4: `Schedule.upTo({ duration })`. */
export const upTo = <Out, In>(schedule: Schedule.Schedule<Out, In>, duration: DurationInput): Schedule.Schedule<Out, In> =>
  Schedule.upTo(schedule, duration)

/** A failure to read variables. Effect 4: `Config.ConfigError`. */
export type VariableError = ConfigError.ConfigError

/** A JSON response (the body must be JSON-serializable). Effect 4: `HttpServerResponse.jsonUnsafe`. */
export const jsonResponse: (
  body: unknown,
  options?: HttpServerResponse.Options.WithContentType
) => HttpServerResponse.HttpServerResponse = HttpServerResponse.unsafeJson

/**
 * The `http://host:port` URL of a server listening on TCP (IPv6 hosts in brackets); `undefined` for a Unix socket.
 * Effect 4: `NetAddress.formatUrl` of an `InetAddress`.
 */
export const httpUrlOf = (address: HttpServer.Address): string | undefined =>
  address._tag === "TcpAddress"
    ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
    : undefined

/**
 * The platform's undici client on `dispatcher`, from the `NodeHttpClient` module the wiring imports (passed in, so
 * that only the wiring loads undici). Effect 4: `NodeHttpClient.makeUndici` given a `NodeHttpClient.Dispatcher`.
 */
export const undiciClient = (
  node: typeof NodeHttpClient,
  dispatcher: Undici.Dispatcher
): Effect.Effect<HttpClient.HttpClient> => Effect.sync(() => node.makeUndici(dispatcher))

/** Adds per-request undici options to a context (see {@link undiciClient}). Effect 4: `NodeHttpClient.UndiciOptions`. */
export const withUndiciOptions = (node: typeof NodeHttpClient, options: Undici.Dispatcher.RequestOptions<null>) =>
(
  context: Context.Context<never>
): Context.Context<never> => Context.add(context, node.UndiciRequestOptions, options)
