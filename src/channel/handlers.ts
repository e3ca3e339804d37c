/**
 * The channel's handler table (`channel.on(tag, handler)`) and the one way an event leaves the channel:
 * `deliver` publishes it to the `events` stream, then runs the handlers registered for its tag, in
 * registration order, one after the other. A handler that fails (not interrupted) is reported as an
 * `Error` event, delivered the same way, before the failure goes on to the caller.
 *
 * A `CardAction` handler may answer the callback (a toast, a new card): the first handler that returns
 * something gives the answer.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Context from "effect/Context"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import type { CardActionResponse } from "../events/callbacks.js"
import { isInterruptedOnly, tapErrorCause } from "../internal/dialect.js"
import { provider } from "../internal/provider.js"
import type { LarkConfig } from "../LarkConfig.js"
import { ChannelEvent, type ChannelEventTag } from "./ChannelEvent.js"

/** The channel event with tag `T`. */
export type EventOf<T extends ChannelEventTag> = Extract<ChannelEvent, { readonly _tag: T }>

/** A `CardAction` handler answers the callback, or nothing (`{}`); other handlers' results are ignored. */
export type ResultOf<T extends ChannelEventTag> = T extends "CardAction" ? CardActionResponse | void : unknown

/** What a handler may use besides the channel itself: the channel's own config and HTTP client. */
export type HandlerRequirements = LarkConfig | HttpClient.HttpClient

export type Handler<T extends ChannelEventTag> = (event: EventOf<T>) => Effect.Effect<ResultOf<T>, unknown, HandlerRequirements>

interface Entry {
  readonly id: number
  readonly tag: ChannelEventTag
  readonly handler: (event: ChannelEvent) => Effect.Effect<unknown, unknown, HandlerRequirements>
}

export interface Handlers {
  /** Registers `handler`; answers the effect that unregisters it. */
  readonly on: <T extends ChannelEventTag>(tag: T, handler: Handler<T>) => Effect.Effect<Effect.Effect<void>>
  /**
   * Publishes `event`, then runs its handlers; answers the first result a handler returned (`undefined`
   * when none did). Fails when a handler fails.
   */
  readonly deliver: (event: ChannelEvent) => Effect.Effect<unknown, unknown>
  /** {@link deliver} where the handlers' requirements are already provided (the chat queue's workers). */
  readonly deliverHere: (event: ChannelEvent) => Effect.Effect<unknown, unknown, HandlerRequirements>
}

export const make = (
  pubsub: PubSub.PubSub<ChannelEvent>,
  context: Context.Context<HandlerRequirements>
): Effect.Effect<Handlers> =>
  Effect.sync(() => {
    // Replaced whole on every change (in `Effect.sync`), so a delivery walks the table it started with.
    let entries: ReadonlyArray<Entry> = []
    let nextId = 0
    const on = <T extends ChannelEventTag>(tag: T, handler: Handler<T>) =>
      Effect.sync(() => {
        const id = nextId++
        entries = [...entries, { id, tag, handler: handler as Entry["handler"] }]
        return Effect.sync(() => {
          entries = entries.filter((e) => e.id !== id)
        })
      })

    /** Runs the handlers of `event` from the `index`th of `table` on; the first result given is the answer. */
    const runFrom = (
      table: ReadonlyArray<Entry>,
      index: number,
      event: ChannelEvent,
      answer: unknown
    ): Effect.Effect<unknown, unknown, HandlerRequirements> => {
      let i = index
      while (i < table.length && table[i]!.tag !== event._tag) i++
      if (i === table.length) return Effect.succeed(answer)
      const entry = table[i]!
      return Effect.flatMap(Effect.suspend(() => entry.handler(event)), (result) => runFrom(table, i + 1, event, answer ?? result))
    }

    /** Publishes and runs an `Error` event for a handler's failure; an `Error` handler's own is not reported. */
    const report = (event: ChannelEvent, cause: Cause.Cause<unknown>): Effect.Effect<void, never, HandlerRequirements> =>
      event._tag === "Error" || isInterruptedOnly(cause)
        ? Effect.void
        : Effect.ignore(deliverHere(ChannelEvent.Error({ source: "handler", event: event._tag, cause })))

    // The table is read before the publish: a stream subscriber it wakes (at once, on Effect 4) that unregisters
    // a handler does not take this event from that handler.
    const deliverHere = (event: ChannelEvent): Effect.Effect<unknown, unknown, HandlerRequirements> =>
      Effect.suspend(() => {
        const table = entries
        return Effect.andThen(
          PubSub.publish(pubsub, event),
          tapErrorCause(runFrom(table, 0, event, undefined), (cause) => report(event, cause))
        )
      })

    const provide = provider(context)
    return { on, deliver: (event) => provide(deliverHere(event)), deliverHere } satisfies Handlers
  })
