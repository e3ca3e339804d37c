/**
 * The Effect 4 side of `src/internal/dialect.ts`: the same names, written for effect 4.x (what each one is for is
 * documented there, with its Effect 4 spelling). The Effect 4 edition (`npm run edition`) is built with this file
 * in that one's place (docs/effect4.md); tests/effect4 checks that both export the same names.
 */
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Latch from "effect/Latch"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type * as SchemaIssue from "effect/SchemaIssue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Tracer from "effect/Tracer"
import * as Base64 from "effect/encoding/Base64"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as NetAddress from "effect/net/NetAddress"
import type * as Undici from "undici"
import type { ContextDeadline } from "../AttemptTimeout.js"

export type Outcome<A, E> = Result.Result<A, E>

export const succeed: <A>(value: A) => Outcome<A, never> = Result.succeed

export const fail: <E>(error: E) => Outcome<never, E> = Result.fail

export type Failed<A, E> = Result.Failure<A, E>

export type Succeeded<A, E> = Result.Success<A, E>

export const isFailure: <A, E>(outcome: Outcome<A, E>) => outcome is Failed<A, E> = Result.isFailure

export const getFailure = <A, E>(outcome: Failed<A, E>): E => outcome.failure

export const getSuccess = <A, E>(outcome: Succeeded<A, E>): A => outcome.success

export const fromOutcome: <A, E>(outcome: Outcome<A, E>) => Effect.Effect<A, E> = Effect.fromResult

export const flatMapOutcome = <A, E, B, E2>(outcome: Outcome<A, E>, f: (value: A) => Outcome<B, E2>): Outcome<B, E | E2> =>
  Result.flatMap(outcome, f)

export const mapOutcomeError = <A, E, E2>(outcome: Outcome<A, E>, f: (error: E) => E2): Outcome<A, E2> => Result.mapError(outcome, f)

export const mapOutcomeBoth = <A, E, B, E2>(
  outcome: Outcome<A, E>,
  cases: { readonly onFailure: (error: E) => E2; readonly onSuccess: (value: A) => B }
): Outcome<B, E2> => Result.mapBoth(outcome, cases)

export const mapOutcome = <A, E, B>(outcome: Outcome<A, E>, f: (value: A) => B): Outcome<B, E> => Result.map(outcome, f)

export const matchOutcome = <A, E, B, C = B>(
  outcome: Outcome<A, E>,
  cases: { readonly onFailure: (error: E) => B; readonly onSuccess: (value: A) => C }
): B | C => Result.match(outcome, cases)

export const Service = <Self, Shape>() => <const Key extends string>(key: Key): Context.ServiceClass<Self, Key, Shape> =>
  Context.Service<Self, Shape>()(key)

export const Literals = <const Values extends ReadonlyArray<string>>(...values: Values): Schema.Codec<Values[number]> =>
  Schema.Literals(values)

export const optionalWithDefault = <S extends Schema.Top & Schema.WithoutConstructorDefault>(
  schema: S,
  make: () => S["Type"] & S["Encoded"]
) => schema.pipe(Schema.withConstructorDefault(Effect.sync(make)), Schema.withDecodingDefaultKey(Effect.sync(make)))

export const stringVariable = (name: string): Config.Config<string> => Config.String(name)

export const nonEmptyStringVariable = (name: string): Config.Config<string> => Config.NonEmptyString(name)

export const redactedVariable = (name: string): Config.Config<Redacted.Redacted<string>> => Config.Redacted(name)

export const parsedVariable = <A, B>(config: Config.Config<A>, parse: (value: A) => Outcome<B, string>): Config.Config<B> =>
  Config.mapEffect(config, (value) =>
    matchOutcome(parse(value), {
      onFailure: (message) => Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message }))),
      onSuccess: Effect.succeed
    }))

// The variables read are strings and a provider gives strings, so a type mismatch means nothing usable was there
// (Effect 4 reports an unset or empty variable as an `InvalidType` under the variable's `Pointer`).

const isMissing = (issue: SchemaIssue.Issue): boolean => {
  switch (issue._tag) {
    case "MissingKey":
    case "InvalidType":
      return true
    case "Pointer":
    case "Encoding":
    case "Filter":
      return isMissing(issue.issue)
    case "Composite":
    case "AnyOf":
      return issue.issues.length > 0 && issue.issues.every(isMissing)
    default:
      return false
  }
}

export const describeVariableError = (error: Config.ConfigError): string =>
  Schema.isSchemaError(error.cause) ? (isMissing(error.cause.issue) ? "is not set" : error.cause.message) : error.cause.message

export type DurationInput = Duration.Input

export const decodeDuration: (input: DurationInput) => Duration.Duration = Duration.fromInputUnsafe

export const optionFromNullable: <A>(value: A) => Option.Option<NonNullable<A>> = Option.fromNullishOr

export const Defect = Schema.Defect()

export const intersectSchedules = <Out, Out2, In>(
  self: Schedule.Schedule<Out, In>,
  that: Schedule.Schedule<Out2, In>
): Schedule.Schedule<unknown, In> =>
  // both take `In`, so the intersection of their inputs Effect 4 computes is `In` (TypeScript cannot see it for a generic)
  Schedule.max([self, that]) as Schedule.Schedule<unknown, In>

export const withDelayFloor = <E>(
  schedule: Schedule.Schedule<unknown, unknown>,
  floor: (failure: E) => Duration.Duration
): Schedule.Schedule<unknown, E> =>
  (schedule as Schedule.Schedule<unknown, E>).pipe(
    Schedule.modifyDelay((metadata) => Effect.succeed(Duration.max(metadata.duration, floor(metadata.input))))
  )

export const catchAllCause: <E, A2, E2, R2>(
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchCause

export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

export const isInterruptedExit: <A, E>(exit: Exit.Exit<A, E>) => boolean = Exit.hasInterrupts

export const withDeferredMaker = <A, E, R>(
  f: (make: <X, Y>() => Deferred.Deferred<X, Y>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.suspend(() => f(Deferred.makeUnsafe))

export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()

export const liveClockAhead = (offset: () => number): Clock.Clock => {
  const live = Clock.Clock.defaultValue()
  const millis = () => live.currentTimeMillisUnsafe() + offset()
  const nanos = () => live.currentTimeNanosUnsafe() + BigInt(offset()) * 1_000_000n
  return {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: () => live.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: live.monotonicTimeNanos,
    sleep: (duration) => live.sleep(duration)
  }
}

export const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>, clock: Clock.Clock): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Clock.Clock, clock)

export const ignoreLogged = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> => Effect.ignore(self, { log: true })

export const paginate = <S, A, E, R>(
  seed: S,
  f: (state: S) => Effect.Effect<readonly [A, Option.Option<S>], E, R>
): Stream.Stream<A, E, R> => Stream.paginate(seed, (state: S) => Effect.map(f(state), ([value, next]) => [[value], next] as const))

export const mapConcat = <A, B, E, R>(self: Stream.Stream<A, E, R>, f: (value: A) => Iterable<B>): Stream.Stream<B, E, R> =>
  Stream.flattenIterable(Stream.map(self, f))

export type SchemaOf<A> = Schema.Codec<A, any>

export type DecodeError = Schema.SchemaError

export const formatDecodeError = (error: DecodeError): string => error.message

export const decodeUnknownOutcome = <A>(schema: SchemaOf<A>): (value: unknown) => Outcome<A, DecodeError> =>
  Schema.decodeUnknownResult(schema)

const allErrors = { errors: "all" } as const

export const lenientDecode = (schema: SchemaOf<any>): (value: unknown) => Outcome<unknown, DecodeError> =>
  Schema.decodeUnknownResult(schema, allErrors)

export const lenientEncode = (schema: SchemaOf<any>): (value: unknown) => Outcome<unknown, DecodeError> =>
  Schema.encodeUnknownResult(schema, allErrors)

export const isPlain = (ast: SchemaAST.AST, seen: Set<SchemaAST.AST> = new Set()): boolean => {
  if (ast.encoding !== undefined) return false
  switch (ast._tag) {
    case "Declaration":
      return false
    case "Suspend": {
      if (seen.has(ast)) return true
      seen.add(ast)
      return isPlain(ast.thunk(), seen)
    }
    case "Objects":
      return ast.propertySignatures.every((property) => isPlain(property.type, seen)) &&
        ast.indexSignatures.every((index) => isPlain(index.type, seen))
    case "Arrays":
      return ast.elements.every((element) => isPlain(element, seen)) && ast.rest.every((rest) => isPlain(rest, seen))
    case "Union":
      return ast.types.every((member) => isPlain(member, seen))
    default:
      return true
  }
}

export const guardFor = <A>(schema: SchemaOf<A>): (value: unknown) => value is A => Schema.is(schema)

export const raceClock = <A, E, R, E2>(
  attempt: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> => Effect.timeoutOrElse(attempt, { duration: timeout, orElse: () => Effect.fail(onTimeout()) })

export const AttemptDeadline = Context.Reference<ContextDeadline>("lark-effect/AttemptDeadline", {
  defaultValue: (): ContextDeadline => () => undefined
})

export const withContextPatched = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  patch: (context: Context.Context<never>) => Context.Context<never>
): Effect.Effect<A, E, R> =>
  // a deadline patch adds transport settings only: the services `effect` needs stay
  Effect.updateContext(effect, patch as (context: Context.Context<never>) => Context.Context<R>)

const always = () => true

export const withoutClientSpans = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, HttpClient.TracerDisabledWhen, always)

export const withRedactedNames = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  f: (names: ReadonlyArray<string | RegExp>) => ReadonlyArray<string | RegExp>
): Effect.Effect<A, E, R> => Effect.updateService(effect, Headers.CurrentRedactedNames, f)

export const clientFailureSide = (error: HttpClientError.HttpClientError): "Send" | "Encode" | "Receive" => {
  switch (error.reason._tag) {
    case "TransportError":
      return "Send"
    case "EncodeError":
    case "InvalidUrlError":
      return "Encode"
    default:
      return "Receive"
  }
}

export type RequestFailure = HttpClientError.HttpClientError

export type ResponseFailure = HttpClientError.HttpClientError

export const failedToEncode = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string): RequestFailure =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause, description }) })

export const failedToSend = (request: HttpClientRequest.HttpClientRequest, cause: unknown): RequestFailure =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

export const failedToDecode = (response: HttpClientResponse.HttpClientResponse, cause: unknown, description?: string): ResponseFailure =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.DecodeError({ request: response.request, response, cause, description })
  })

export const withBuiltInTracer = <A, E, R>(f: (builtIn: boolean) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => f(fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer))

export const makeClientSpan = (name: string, attributes: Record<string, unknown>): Effect.Effect<Tracer.Span> =>
  Effect.makeSpan(name, { kind: "client", attributes })

export const underSpan = <A, E, R>(effect: Effect.Effect<A, E, R>, span: Tracer.Span): Effect.Effect<A, E, R> =>
  effect.pipe(
    Effect.withParentSpan(span),
    Effect.onExit((exit) => Effect.clockWith((clock) => Effect.sync(() => span.end(clock.currentTimeNanosUnsafe(), exit))))
  ) as Effect.Effect<A, E, R>

export const Union = <const Members extends ReadonlyArray<Schema.Top>>(...members: Members): Schema.Union<Members> =>
  Schema.Union(members)

export const Reference = <_Self>() => <const Key extends string, Shape>(
  key: Key,
  options: { readonly defaultValue: () => Shape }
): Context.Reference<Shape> => Context.Reference<Shape>(key, options)

export type LocalSetting<A> = Context.Reference<A>

export const localSetting = <A>(key: string, initial: A): LocalSetting<A> => Context.Reference<A>(key, { defaultValue: () => initial })

export const timeoutFail = <E1>(
  options: { readonly onTimeout: () => E1; readonly duration: DurationInput }
) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E1, R> =>
  Effect.timeoutOrElse(self, { duration: options.duration, orElse: () => Effect.fail(options.onTimeout()) })

export const outcomeGen: typeof Result.gen = Result.gen

export const allOutcomes: typeof Result.all = Result.all

export const isRecord: (input: unknown) => input is { [x: string | symbol]: unknown } = Predicate.isObject

export const withoutTracerPropagation = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, Effect.provideService(HttpClient.TracerPropagationEnabled, false))

export const callback = <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void, signal: AbortSignal) => void | Effect.Effect<void, never, R>
): Effect.Effect<A, E, R> => Effect.callback<A, E, R>((resume, signal) => register(resume, signal))

export const offerUnsafe = <A>(queue: Queue.Enqueue<A>, value: A): boolean => Queue.offerUnsafe(queue, value)

export const doneUnsafe = <A, E>(deferred: Deferred.Deferred<A, E>, effect: Effect.Effect<A, E>): void => {
  Deferred.doneUnsafe(deferred, effect)
}

export const scopedLayer = <I, S, E, R>(tag: Context.Key<I, S>, effect: Effect.Effect<S, E, R>): Layer.Layer<I, E, Exclude<R, Scope.Scope>> =>
  Layer.effect(tag, effect)

export const scopedContextLayer: <A, E, R>(
  effect: Effect.Effect<Context.Context<A>, E, R>
) => Layer.Layer<A, E, Exclude<R, Scope.Scope>> = Layer.effectContext

export const dieMessage = (message: string): Effect.Effect<never> => Effect.die(new Error(message))

export const encodeBase64: (input: Uint8Array | string) => string = Base64.encode

export const decodeBase64 = (text: string): Outcome<Uint8Array, unknown> => Base64.decode(text)

export const stackRunner = <R>(): Effect.Effect<
  <A, E>(effect: Effect.Effect<A, E, R>) => Exit.Exit<A, E> | Fiber.Fiber<A, E>,
  never,
  R
> =>
  Effect.map(Effect.context<R>(), (context) => {
    const runSyncExit = Effect.runSyncExitWith(context)
    return <A, E>(effect: Effect.Effect<A, E, R>) => {
      const exit = runSyncExit(effect)
      if (Exit.isSuccess(exit)) return exit
      const defect = Result.getSuccess(Cause.findDefect(exit.cause))
      // the fiber the error carries is the one running `effect`
      return Option.isSome(defect) && Cause.isAsyncFiberError(defect.value) ? defect.value.fiber as Fiber.Fiber<A, E> : exit
    }
  })

export const addFiberUnsafe = <A, E>(set: FiberSet.FiberSet<A, E>, fiber: Fiber.Fiber<A, E>): void =>
  FiberSet.addUnsafe(set, fiber)

export const catchAll: <E, A2, E2, R2>(
  f: (error: E) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catch

export const parseJson = <A, I>(schema: Schema.Codec<A, I>): Schema.Codec<A, string> => Schema.fromJsonString(schema)

export const warningsOnStandardError = (): Layer.Layer<never> =>
  Layer.merge(Logger.layer([Logger.withConsoleError(Logger.formatLogFmt)]), Layer.succeed(References.MinimumLogLevel, "Warn"))

export const changesOf = <A>(ref: SubscriptionRef.SubscriptionRef<A>): Stream.Stream<A> => SubscriptionRef.changes(ref)

export const tapErrorCause = <A, E, R, X, E2, R2>(
  self: Effect.Effect<A, E, R>,
  f: (cause: Cause.Cause<E>) => Effect.Effect<X, E2, R2>
): Effect.Effect<A, E | E2, R | R2> => Effect.tapCause(self, f)

export const intoDeferred = <A, E, R>(self: Effect.Effect<A, E, R>, deferred: Deferred.Deferred<A, E>): Effect.Effect<boolean, never, R> =>
  Deferred.into(self, deferred)

export const makeLatch: (open?: boolean) => Effect.Effect<Latch.Latch> = Latch.make

export const interruptFork = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<void> => Effect.asVoid(Effect.forkDetach(Fiber.interrupt(fiber)))

export const subscribe = <A>(pubsub: PubSub.PubSub<A>): Effect.Effect<Stream.Stream<A>, never, Scope.Scope> =>
  Effect.map(PubSub.subscribe(pubsub), Stream.fromSubscription)

export const locally = <A, E, R, V>(effect: Effect.Effect<A, E, R>, ref: Context.Reference<V>, value: V): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, ref, value)

export const decodeDurationOption: (input: DurationInput) => Option.Option<Duration.Duration> = Duration.fromInput

export const isStream: (value: unknown) => value is Stream.Stream<unknown, unknown, unknown> = Stream.isStream

export const isInterruptedCause: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterrupts

export const withContextAndClock = <A, E, R>(
  f: (context: Context.Context<never>, clock: Clock.Clock) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiber<A, E, R>((fiber) => f(fiber.context, fiber.getRef(Clock.Clock)))

export const withCurrentContext = <A, E, R>(
  f: (context: Context.Context<never>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiber<A, E, R>((fiber) => f(fiber.context))

export const servicesOf = (context: Context.Context<never>): ReadonlyMap<string, unknown> => context.mapUnsafe

export type CodecOf<A, I> = Schema.Codec<A, I>

export type AppRuntime<R> = Context.Context<R>

export const runObservedOn = <R>(runtime: AppRuntime<R>) => {
  const fork = Effect.runForkWith(runtime)
  return <A, E>(effect: Effect.Effect<A, E, R>, onExit: (exit: Exit.Exit<A, E>) => void): void =>
    void fork(effect).addObserver(onExit)
}

export const appRuntime = <R = never>(): Effect.Effect<AppRuntime<R>, never, R> => Effect.context<R>()

export const scheduleOfDelays = (first: DurationInput, ...rest: Array<DurationInput>): Schedule.Schedule<Duration.Duration> => {
  const delays = [first, ...rest].map(Duration.fromInputUnsafe)
  return Schedule.fromStepWithMetadata(Effect.succeed((metadata: Schedule.InputMetadata<unknown>) => {
    const delay = delays[metadata.attempt - 1]
    return delay === undefined ? Cause.done(Duration.zero) : Effect.succeed([delay, delay] as [Duration.Duration, Duration.Duration])
  }))
}

export const unwrapLayer: <A, E1, R1, E, R>(self: Effect.Effect<Layer.Layer<A, E1, R1>, E, R>) => Layer.Layer<A, E | E1, R1 | R> =
  Layer.unwrap

export const currentForker: Effect.Effect<(effect: Effect.Effect<void>) => void> = Effect.map(
  Effect.context<never>(),
  (context) => (effect) => void Effect.runForkWith(context)(effect)
)

export const unionSchedules = <Out, Out2, In>(
  self: Schedule.Schedule<Out, In>,
  that: Schedule.Schedule<Out2, In>
): Schedule.Schedule<unknown, In> =>
  // both take `In`, so the intersection of their inputs Effect 4 computes is `In` (TypeScript cannot see it for a generic)
  Schedule.min([self, that]) as Schedule.Schedule<unknown, In>

export const upTo = <Out, In>(schedule: Schedule.Schedule<Out, In>, duration: DurationInput): Schedule.Schedule<Out, In> =>
  Schedule.upTo(schedule, { duration })

export type VariableError = Config.ConfigError

export const jsonResponse: (
  body: unknown,
  options?: HttpServerResponse.Options.WithContentType
) => HttpServerResponse.HttpServerResponse = HttpServerResponse.jsonUnsafe

export const httpUrlOf = (address: NetAddress.SocketAddress): string | undefined =>
  address._tag === "UnixPathAddress" ? undefined : Result.getOrUndefined(NetAddress.formatUrl(address, "http"))

export const undiciClient = (
  node: typeof NodeHttpClient,
  dispatcher: Undici.Dispatcher
): Effect.Effect<HttpClient.HttpClient> => Effect.provideService(node.makeUndici, node.Dispatcher, dispatcher)

export const withUndiciOptions = (node: typeof NodeHttpClient, options: Undici.Dispatcher.RequestOptions<null>) =>
(
  context: Context.Context<never>
): Context.Context<never> => Context.add(context, node.UndiciOptions, options)
