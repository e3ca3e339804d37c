/**
 * The one place where lark-effect's two editions differ: what Effect 3 and Effect 4 spell differently. Modules
 * import these names from here instead of from `effect` or `@effect/platform`; the Effect 4 edition is built
 * with `editions/effect4/dialect.ts` in this file's place, which exports the same names written for Effect 4
 * (docs/effect4.md). Keep it small: only what differs, each export saying its Effect 4 spelling.
 */
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
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
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Types from "effect/Types"
import type * as Undici from "undici"
import type { ContextDeadline } from "../AttemptTimeout.js"
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

// ── layers ──

/** An effect resumed by a callback, which may return a cleanup run on interruption. Effect 4: `Effect.callback`. */
export const callback: <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void, signal: AbortSignal) => void | Effect.Effect<void, never, R>
) => Effect.Effect<A, E, R> = Effect.async

/** A layer from an effect that may use a `Scope` (closed with the layer). Effect 4: `Layer.effect`. */
export const scopedLayer: <I, S, E, R>(
  tag: Context.Tag<I, S>,
  effect: Effect.Effect<Types.NoInfer<S>, E, R>
) => Layer.Layer<I, E, Exclude<R, Scope.Scope>> = Layer.scoped

/** A layer built by an effect. Effect 4: `Layer.unwrap`. */
export const unwrapLayer: <A, E1, R1, E, R>(self: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>) => Layer.Layer<A, E | E1, R1 | R> =
  Layer.unwrapEffect

/** Recovers from any failure (not from defects). Effect 4: `Effect.catch`. */
export const catchAll: <E, A2, E2, R2>(
  f: (error: E) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchAll

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

/** Dies with a `RuntimeException` of `message`. Effect 4: `Effect.die(new Error(message))`. */
export const dieMessage: (message: string) => Effect.Effect<never> = Effect.dieMessage

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
