/**
 * The call's span (`inCallSpan`, `Effect.withSpan` in one step) against `Effect.withSpan` itself: for every
 * call (a value, a failure, a defect, an interruption), both give the same exit, end the span once with that
 * exit, make it the parent of what the call does, and give the outer parent back afterwards.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import { isInterruptedOnly, Literals } from "../../src/internal/dialect.js"
import { type CallSpan, inCallSpan } from "../../src/internal/send.js"
import type { Operation } from "../../src/Operation.js"
import { defectsOf, failuresOf, fork, makeTracer, propertyRuns, yieldNow } from "../dialect.js"

/** `"outside"`: the call waits forever and is interrupted from outside. */
const Kind = Literals("succeed", "fail", "die", "interrupt", "outside")
type Kind = typeof Kind.Type

const operation: Operation<any, any> = { id: "test.v1.thing.get", method: "GET", path: "/open-apis/test", tokens: [] }

interface Seen {
  readonly exit: unknown
  readonly parentInside: string | undefined
  readonly parentAfter: string | undefined
  readonly ended: ReadonlyArray<{ readonly name: string; readonly parent: string | undefined; readonly exit: unknown }>
}

/** Exits compared by what a caller sees: the value, or the failures and defects, or an interruption. */
const seen = (exit: Exit.Exit<number, string>) =>
  Exit.isSuccess(exit)
    ? { value: exit.value }
    : { failures: failuresOf(exit.cause), defects: defectsOf(exit.cause), interrupted: isInterruptedOnly(exit.cause) }

const spanName = (span: Option.Option<Tracer.AnySpan>) => Option.getOrUndefined(Option.map(span, (span) => span._tag === "Span" ? span.name : "external"))

/** Runs the call of `kind` in a span made by `wrap`, inside an outer span, with a tracer that records ended spans. */
const run = (
  kind: Kind,
  value: number,
  wrap: (call: (span: CallSpan) => Effect.Effect<number, string>) => Effect.Effect<number, string>
): Effect.Effect<Seen> => {
  const ended: Array<Seen["ended"][number]> = []
  const tracer = makeTracer(({ name, parent }) => ({
    end: (_, exit) => void ended.push({ name, parent: spanName(parent), exit: seen(exit as Exit.Exit<number, string>) })
  }))
  let parentInside: string | undefined
  const body: Effect.Effect<number, string> = kind === "succeed"
    ? Effect.as(yieldNow, value)
    : kind === "fail"
    ? Effect.andThen(yieldNow, Effect.fail(`failed ${value}`))
    : kind === "die"
    ? Effect.andThen(yieldNow, Effect.die(`died ${value}`))
    : kind === "interrupt"
    ? Effect.interrupt
    : Effect.never
  const call = () => Effect.andThen(Effect.map(Effect.option(Effect.currentParentSpan), (span) => void (parentInside = spanName(span))), body)
  return Effect.gen(function*() {
    const exit = kind === "outside"
      ? yield* Effect.flatMap(fork(wrap(call)), (fiber) => Effect.andThen(yieldNow, Effect.andThen(Fiber.interrupt(fiber), Fiber.await(fiber))))
      : yield* Effect.exit(wrap(call))
    const parentAfter = spanName(yield* Effect.option(Effect.currentParentSpan))
    return { exit: seen(exit), parentInside, parentAfter }
  }).pipe(Effect.withSpan("outer"), Effect.withTracer(tracer), Effect.map((result) => ({ ...result, ended })))
}

describe("inCallSpan", () => {
  it.effect.prop("ends, parents and answers as Effect.withSpan, whatever the call does", [Kind, Schema.Int], ([kind, value]) =>
    Effect.gen(function*() {
      const fast = yield* run(kind, value, (call) => inCallSpan(operation, call))
      const slow = yield* run(kind, value, (call) =>
        Effect.useSpan(operation.id, { kind: "client", attributes: { "lark.operation": operation.id } }, (span) =>
          Effect.withParentSpan(call(span), span)))
      assert.deepStrictEqual(fast, slow)
      assert.strictEqual(fast.parentInside, operation.id)
      assert.strictEqual(fast.parentAfter, "outer")
      assert.deepStrictEqual(fast.ended[0]!.exit, fast.exit)
      assert.deepStrictEqual(fast.ended.map((span) => [span.name, span.parent]), [[operation.id, "outer"], ["outer", undefined]])
    }), propertyRuns(200))

  it.effect("under Effect's built-in tracer, which exports nothing, makes no span: the call sees the caller's span", () =>
    Effect.gen(function*() {
      let inside: string | undefined
      const value = yield* inCallSpan(operation, (span) => {
        span.attribute("ignored", 1)
        return Effect.map(Effect.option(Effect.currentParentSpan), (parent) => (inside = spanName(parent), 7))
      }).pipe(Effect.withSpan("outer"))
      assert.strictEqual(value, 7)
      assert.strictEqual(inside, "outer")
      assert.strictEqual(yield* Effect.flip(inCallSpan(operation, () => Effect.fail("refused"))), "refused")
      // a secret answer is wrapped only for a tracer's eyes: the caller gets the value either way
      assert.strictEqual(yield* inCallSpan({ ...operation, secretAnswer: true }, () => Effect.succeed("s3cret")), "s3cret")
    }))
})
