/**
 * What the test dialects' recording tracer and logger (`makeTracer`, `withLogsTo` in tests/dialect.ts and
 * editions/effect4/testDialect.ts) hand a test: the same on both majors, so kept here once.
 */
import type * as Cause from "effect/Cause"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"

/** What a test tracer is told of a span as it starts. */
export interface SpanStart {
  readonly name: string
  readonly parent: Option.Option<Tracer.AnySpan>
  readonly links: ReadonlyArray<Tracer.SpanLink>
  readonly startTime: bigint
  readonly kind: Tracer.SpanKind
}

/** What a test tracer does with one span: its id (its name by default), where its attributes go, and its updates. */
export interface SpanHooks {
  readonly spanId?: string
  readonly attributes?: Map<string, unknown>
  readonly attribute?: (key: string, value: unknown) => void
  readonly event?: (name: string, startTime: bigint, attributes?: Record<string, unknown>) => void
  readonly addLinks?: (links: ReadonlyArray<Tracer.SpanLink>) => void
  readonly end: (endTime: bigint, exit: Exit.Exit<unknown, unknown>) => void
}

/** What a log line holds, as a test logger keeps it. */
export interface LogEntry {
  readonly message: unknown
  readonly annotations: unknown
  readonly cause: Cause.Cause<unknown>
  readonly logLevel: unknown
  readonly spans: unknown
}
