/**
 * The Effect 4 side of `src/internal/dialect.ts`: the same names, written for effect 4.x. The Effect 4 edition
 * (`npm run edition`) is built with this file in that one's place (docs/effect4.md).
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"

export type Outcome<A, E> = Result.Result<A, E>

export const succeed: <A>(value: A) => Outcome<A, never> = Result.succeed

export const fail: <E>(error: E) => Outcome<never, E> = Result.fail

export const isFailure: <A, E>(outcome: Outcome<A, E>) => outcome is Result.Failure<A, E> = Result.isFailure

export const mapOutcome = <A, E, B>(outcome: Outcome<A, E>, f: (value: A) => B): Outcome<B, E> => Result.map(outcome, f)

export const matchOutcome = <A, E, B, C = B>(
  outcome: Outcome<A, E>,
  cases: { readonly onFailure: (error: E) => B; readonly onSuccess: (value: A) => C }
): B | C => Result.match(outcome, cases)

export const Service = <Self, Shape>() => <const Key extends string>(key: Key): Context.ServiceClass<Self, Key, Shape> =>
  Context.Service<Self, Shape>()(key)

export const Literals = <const Values extends ReadonlyArray<string>>(...values: Values): Schema.Schema<Values[number]> =>
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

export type VariableError = Config.ConfigError

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

export const catchAllCause: <E, A2, E2, R2>(
  f: (cause: Cause.Cause<E>) => Effect.Effect<A2, E2, R2>
) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E2, R | R2> = Effect.catchCause

export const isInterruptedOnly: <E>(cause: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

export const isInterruptedExit: <A, E>(exit: Exit.Exit<A, E>) => boolean = Exit.hasInterrupts

export const withDeferredMaker = <A, E, R>(
  f: (make: <X, Y>() => Deferred.Deferred<X, Y>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.suspend(() => f(Deferred.makeUnsafe))

export const currentTimeMillis = (clock: Clock.Clock): number => clock.currentTimeMillisUnsafe()
