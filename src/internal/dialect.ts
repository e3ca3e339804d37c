/**
 * The one place where lark-effect's two editions differ: what Effect 3 and Effect 4 spell differently. Modules
 * import these names from here instead of from `effect` or `@effect/platform`; the Effect 4 edition is built
 * with `editions/effect4/dialect.ts` in this file's place, which exports the same names written for Effect 4
 * (docs/effect4.md). Keep it small: only what differs, each export saying its Effect 4 spelling.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

/** A success or a failure, returned by pure checks. Effect 4: `Result.Result<A, E>`. */
export type Outcome<A, E> = Either.Either<A, E>

/** Effect 4: `Result.succeed`. */
export const succeed: <A>(value: A) => Outcome<A, never> = Either.right

/** Effect 4: `Result.fail`. */
export const fail: <E>(error: E) => Outcome<never, E> = Either.left

/** Effect 4: `Result.isFailure`. */
export const isFailure: <A, E>(outcome: Outcome<A, E>) => outcome is Either.Left<E, A> = Either.isLeft

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
 * Effect 4: `Schema.optionalKey(schema)` with `Schema.withDecodingDefaultKey` and `Schema.withConstructorDefault`.
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

/** Why reading a variable failed. Effect 4: `Config.ConfigError`. */
export type VariableError = ConfigError.ConfigError

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
