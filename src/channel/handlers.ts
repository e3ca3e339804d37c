/**
 * The channel's handler table (`channel.on(tag, handler)`) and the one way an event leaves the channel:
 * `deliver` publishes it to the `events` stream, then runs the handlers registered for its tag, in
 * registration order, one after the other.
 *
 * A `CardAction` handler may answer the callback (a toast, a new card): the first handler that returns
 * something gives the answer.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import type { CardActionResponse } from "../events/callbacks.js"
import type { LarkConfig } from "../LarkConfig.js"
import type { ChannelEvent, ChannelEventTag } from "./ChannelEvent.js"

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
}

export const make = (
  pubsub: PubSub.PubSub<ChannelEvent>,
  context: Context.Context<HandlerRequirements>
): Effect.Effect<Handlers> =>
  Effect.map(Ref.make<ReadonlyArray<Entry>>([]), (entries) => {
    let nextId = 0
    const on = <T extends ChannelEventTag>(tag: T, handler: Handler<T>) =>
      Effect.suspend(() => {
        const id = nextId++
        const entry: Entry = { id, tag, handler: handler as Entry["handler"] }
        return Effect.as(
          Ref.update(entries, (all) => [...all, entry]),
          Ref.update(entries, (all) => all.filter((e) => e.id !== id))
        )
      })

    const runHandlers = (event: ChannelEvent) =>
      Effect.flatMap(Ref.get(entries), (all) =>
        Effect.reduce(all, undefined as unknown, (answer, entry) =>
          entry.tag !== event._tag
            ? Effect.succeed(answer)
            : Effect.map(Effect.suspend(() => entry.handler(event)), (result) => answer ?? result)))

    const deliver = (event: ChannelEvent) =>
      PubSub.publish(pubsub, event).pipe(
        Effect.zipRight(runHandlers(event)),
        Effect.provide(context)
      )

    return { on, deliver } satisfies Handlers
  })
