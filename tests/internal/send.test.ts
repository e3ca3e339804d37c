/**
 * The call's span (`inCallSpan`, `Effect.withSpan` in one step) against `Effect.withSpan` itself: for every
 * call (a value, a failure, a defect, an interruption), both give the same exit, end the span once with that
 * exit, make it the parent of what the call does, and give the outer parent back afterwards.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { inCallSpan } from "../../src/internal/send.js"
import type { Operation } from "../../src/Operation.js"

/** `"outside"`: the call waits forever and is interrupted from outside. */
type Kind = "succeed" | "fail" | "die" | "interrupt" | "outside"

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
    : { failures: [...Cause.failures(exit.cause)], defects: [...Cause.defects(exit.cause)], interrupted: Cause.isInterruptedOnly(exit.cause) }

const spanName = (span: Option.Option<Tracer.AnySpan>) => Option.getOrUndefined(Option.map(span, (span) => span._tag === "Span" ? span.name : "external"))

/** Runs the call of `kind` in a span made by `wrap`, inside an outer span, with a tracer that records ended spans. */
const run = (
  kind: Kind,
  value: number,
  wrap: (call: (span: Tracer.Span) => Effect.Effect<number, string>) => Effect.Effect<number, string>
): Effect.Effect<Seen> => {
  const ended: Array<Seen["ended"][number]> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => ({
      _tag: "Span", name, spanId: name, traceId: "trace", parent, context, links: [...links], sampled: true, kind,
      status: { _tag: "Started", startTime }, attributes: new Map(),
      attribute: () => {}, event: () => {}, addLinks: () => {},
      end: (_, exit) => void ended.push({ name, parent: spanName(parent), exit: seen(exit as Exit.Exit<number, string>) })
    }),
    context: (f) => f()
  })
  let parentInside: string | undefined
  const body: Effect.Effect<number, string> = kind === "succeed"
    ? Effect.as(Effect.yieldNow(), value)
    : kind === "fail"
    ? Effect.zipRight(Effect.yieldNow(), Effect.fail(`failed ${value}`))
    : kind === "die"
    ? Effect.zipRight(Effect.yieldNow(), Effect.die(`died ${value}`))
    : kind === "interrupt"
    ? Effect.interrupt
    : Effect.never
  const call = () => Effect.zipRight(Effect.map(Effect.option(Effect.currentParentSpan), (span) => void (parentInside = spanName(span))), body)
  return Effect.gen(function*() {
    const exit = kind === "outside"
      ? yield* Effect.flatMap(Effect.fork(wrap(call)), (fiber) => Effect.zipRight(Effect.yieldNow(), Fiber.interrupt(fiber)))
      : yield* Effect.exit(wrap(call))
    const parentAfter = spanName(yield* Effect.option(Effect.currentParentSpan))
    return { exit: seen(exit), parentInside, parentAfter }
  }).pipe(Effect.withSpan("outer"), Effect.withTracer(tracer), Effect.map((result) => ({ ...result, ended })))
}

describe("inCallSpan", () => {
  it.effect("ends, parents and answers as Effect.withSpan, whatever the call does", () =>
    Effect.promise(() =>
      FastCheck.assert(FastCheck.asyncProperty(
        FastCheck.constantFrom<Kind>("succeed", "fail", "die", "interrupt", "outside"),
        FastCheck.integer(),
        async (kind, value) => {
          const fast = await Effect.runPromise(run(kind, value, (call) => inCallSpan(operation, call)))
          const slow = await Effect.runPromise(run(kind, value, (call) =>
            Effect.useSpan(operation.id, { kind: "client", attributes: { "lark.operation": operation.id } }, (span) =>
              Effect.withParentSpan(call(span), span))))
          assert.deepStrictEqual(fast, slow)
          assert.strictEqual(fast.parentInside, operation.id)
          assert.strictEqual(fast.parentAfter, "outer")
          assert.deepStrictEqual(fast.ended[0]!.exit, fast.exit)
          assert.deepStrictEqual(fast.ended.map((span) => [span.name, span.parent]), [[operation.id, "outer"], ["outer", undefined]])
        }
      ), { numRuns: 200 })
    ))

})
