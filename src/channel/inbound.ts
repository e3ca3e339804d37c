/**
 * The channel's inbound pipeline as an `EventDispatcher`, shared by both transports (the long connection
 * runs it, the webhook `handle`s it):
 *
 * 1. the dispatcher claims the event id (a redelivery of a handled event never gets here);
 * 2. the event is normalized (`normalizeEvent`); types the channel does not surface are acknowledged;
 * 3. a `Message` is claimed a second time, by app and message id (`msg:<appId>:<id>`, same store): the same
 *    message under another event id is dropped as `duplicate`. The app id keeps apart the bots of one chat
 *    that share a store: each gets the message, under its own event id, and must handle it;
 * 4. admission (own message, stale, policy, bot-loop guard); a drop becomes a `Rejected` event;
 * 5. with batching on, an admitted text waits for the rest of its sender's burst (`batching.ts`); with
 *    `mergeWhileBusy` on, texts that arrive while their chat is busy wait as one (`busyMerge.ts`);
 * 6. an admitted message (or a merged burst) joins its chat's queue (`ChatQueue`: in order per chat, chats
 *    in parallel) and is delivered (the `events` stream, then the `Message` handlers).
 *
 * Other events are delivered at once, outside the chat queues: a card action must be answered within a
 * few seconds, whatever the chat is busy with. Reactions pass the `reactions` filter first (`reactions.ts`).
 *
 * The acknowledgement (`ack`): with `"handled"` (the default) the platform gets its answer once the
 * message's handlers finished. A handler that fails gets a redelivery; a process that dies with
 * messages still queued loses nothing, because the platform delivers them again. With `"queued"` the
 * answer goes out once the message is queued: quicker, but a failed handler is only logged, and queued
 * messages die with the process. The messages of a merged burst are all answered when the burst is.
 * With `"queued"` the chat queues hold at most `maxQueued` items: a message past that is not queued but
 * answered as failed (`ChatQueueFull`), so the platform redelivers it later. (With `"handled"` the
 * transport bounds them: each queued message holds a request or a long-connection handler slot.)
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type Claim, type Service as DedupeService, unsafeStoreOf } from "../events/Dedupe.js"
import * as EventDispatcher from "../events/EventDispatcher.js"
import { catchAll, catchAllCause, currentTimeMillis, intoDeferred, tapErrorCause } from "../internal/dialect.js"
import { type Admission, rejection } from "./admission.js"
import type { ChannelEvent } from "./ChannelEvent.js"
import type { Batcher, Submit } from "./batching.js"
import type { ChatQueue } from "./ChatQueue.js"
import type { EventOf, HandlerRequirements, Handlers } from "./handlers.js"
import type { Message } from "./Message.js"
import { CHANNEL_EVENT_TYPES, normalizeEvent } from "./normalize.js"
import type { ReactionFilter } from "./reactions.js"
import { drop } from "./policy.js"

export type AckMode = "handled" | "queued"

export interface Pipeline {
  /** The app the channel runs as: part of the message-id claim. */
  readonly appId: string
  readonly botOpenId: string
  readonly includeRaw: boolean
  readonly ack: AckMode
  readonly admission: Admission
  readonly queue: ChatQueue<string, HandlerRequirements>
  /** With `ack: "queued"`, the most items the chat queues hold (waiting or running). */
  readonly maxQueued: number
  readonly dedupe: DedupeService
  readonly handlers: Handlers
  /** Whether the channel is connected: nothing is delivered before the app's handlers are in place. */
  readonly started: Started
  /** Merges bursts of texts (off when absent); its `Submit` must be {@link enqueue} over this pipeline. */
  readonly batcher?: Batcher | undefined
  /** Queues a message, merging texts that arrive while their chat is busy (off when absent; `busyMerge.ts`). */
  readonly merger?: Submit | undefined
  /** Which reactions are delivered (all when absent). */
  readonly reactions?: ReactionFilter | undefined
}

/** The channel's connection gate: asked first (one call), then waited on only while it is still shut. */
export interface Started {
  readonly isOpen: () => boolean
  /** Completes once it is open. */
  readonly await: Effect.Effect<void>
}

/** The same message is being handled under another event id right now: ask for a redelivery. */
class MessageInProgress extends Data.TaggedError("MessageInProgress")<{ readonly messageId: string }> {}

/** With `ack: "queued"`, the chat queues are full: ask for a redelivery rather than hold more. */
class ChatQueueFull extends Data.TaggedError("ChatQueueFull")<{ readonly messageId: string; readonly queued: number }> {}

const logged = (what: string) => (cause: unknown) => Effect.logWarning(`lark channel: ${what}`, cause)

/** Delivers a `Rejected` event; a failing `Rejected` handler is only logged (the message is not redelivered). */
const reject = (pipeline: Pipeline, event: Option.Option<ChannelEvent>) =>
  Option.match(event, {
    onNone: () => Effect.void,
    onSome: (rejected) => catchAllCause(logged("a Rejected handler failed"))(pipeline.handlers.deliver(rejected))
  })

/** Runs `work` under the message-id claim: completed when it succeeds, released when it does not. */
const claimMessage = (pipeline: Pipeline, message: Message, work: Effect.Effect<void, unknown>) => {
  const key = `msg:${pipeline.appId}:${message.messageId}`
  const { dedupe } = pipeline
  const afterClaim = (claim: Claim, complete: Effect.Effect<void>, release: Effect.Effect<void>): Effect.Effect<void, unknown> => {
    switch (claim) {
      case "Done":
        return reject(pipeline, rejection(message, drop("duplicate")))
      case "InProgress":
        return Effect.fail(new MessageInProgress({ messageId: message.messageId }))
      case "Claimed":
        return Effect.uninterruptibleMask((restore) =>
          Effect.matchCauseEffect(restore(work), {
            onSuccess: () => complete,
            onFailure: (cause) => Effect.andThen(release, Effect.failCause(cause))
          })
        )
    }
  }
  const unsafe = unsafeStoreOf(dedupe)
  if (unsafe === undefined) {
    const settle = (claimed: Effect.Effect<void, unknown>) => catchAll(logged("the message dedupe store failed"))(claimed)
    return Effect.flatMap(dedupe.claim(key), (claim) => afterClaim(claim, settle(dedupe.complete(key)), settle(dedupe.release(key))))
  }
  // an in-memory store: its operations are called at once, without an Effect per call
  return Effect.clockWith((clock) =>
    afterClaim(
      unsafe.claim(key, currentTimeMillis(clock)),
      Effect.sync(() => unsafe.complete(key, currentTimeMillis(clock))),
      Effect.sync(() => unsafe.release(key))
    )
  )
}

/**
 * Queues the delivery of `message` on its chat, completing `done` with its outcome (a merged burst of
 * `batching.ts`).
 */
export const enqueue = (
  pipeline: Pick<Pipeline, "ack" | "handlers" | "queue">,
  message: EventOf<"Message">,
  done: Deferred.Deferred<unknown, unknown>
): Effect.Effect<void> => pipeline.queue.offer(message.chatId, Effect.asVoid(intoDeferred(delivery(pipeline, message), done)))

/** The delivery of a queued message; with `ack: "queued"` its failure is logged. */
export const delivery = (pipeline: Pick<Pipeline, "ack" | "handlers">, message: EventOf<"Message">) => {
  const delivered = pipeline.handlers.deliverHere(message)
  return pipeline.ack === "queued" ? loggingFailure(delivered) : delivered
}

/** With `ack: "queued"` nobody awaits a delivery's outcome: its failure is logged instead. */
const loggingFailure = <A, E, R>(delivery: Effect.Effect<A, E, R>) => tapErrorCause(delivery, logged("a Message handler failed"))

// flatMap chains rather than a generator: this runs once per message, on the hot path
const admitAndQueue = (pipeline: Pipeline, message: EventOf<"Message">): Effect.Effect<void, unknown> =>
  Effect.flatMap(pipeline.admission.check(message), (decision) => {
    if (decision._tag === "Drop") return reject(pipeline, rejection(message, decision))
    if (pipeline.ack === "handled") return queueAdmitted(pipeline, message)
    // nothing waits for a queued message: the queues are bounded here
    return Effect.flatMap(pipeline.queue.size, (queued) =>
      queued < pipeline.maxQueued
        ? queueAdmitted(pipeline, message)
        : Effect.fail(new ChatQueueFull({ messageId: message.messageId, queued })))
  })

/** Queues an admitted message: batched, merged while busy, or on its own. */
const queueAdmitted = (pipeline: Pipeline, message: EventOf<"Message">): Effect.Effect<void, unknown> => {
  if (pipeline.batcher !== undefined) {
    const queued = pipeline.batcher.offer(message)
    return pipeline.ack === "handled" ? Effect.flatMap(queued, Deferred.await) : Effect.asVoid(queued)
  }
  const merger = pipeline.merger
  if (merger !== undefined) {
    return Effect.flatMap(Deferred.make<unknown, unknown>(), (done) =>
      Effect.andThen(merger(message, done), pipeline.ack === "handled" ? Effect.asVoid(Deferred.await(done)) : Effect.void))
  }
  const delivery = pipeline.handlers.deliverHere(message)
  return pipeline.ack === "handled"
    ? Effect.asVoid(pipeline.queue.run(message.chatId, delivery))
    : pipeline.queue.offer(message.chatId, Effect.asVoid(loggingFailure(delivery)))
}

const onEvent = (pipeline: Pipeline) => {
  const deliver = (event: EventDispatcher.AnyEvent): Effect.Effect<unknown, unknown> => {
    if (event.version !== "v2") return Effect.void
    const normalized = normalizeEvent(event, { botOpenId: pipeline.botOpenId, includeRaw: pipeline.includeRaw })
    if (Option.isNone(normalized)) return Effect.void
    const channelEvent = normalized.value
    if (channelEvent._tag === "Message") return claimMessage(pipeline, channelEvent, admitAndQueue(pipeline, channelEvent))
    if (channelEvent._tag === "Reaction" && pipeline.reactions !== undefined) {
      const delivered = pipeline.handlers.deliver(channelEvent)
      return Effect.flatMap(pipeline.reactions(channelEvent), (wanted) => (wanted ? delivered : Effect.void))
    }
    return pipeline.handlers.deliver(channelEvent)
  }
  const { started } = pipeline
  return (event: EventDispatcher.AnyEvent): Effect.Effect<unknown, unknown> =>
    started.isOpen() ? deliver(event) : Effect.andThen(started.await, Effect.suspend(() => deliver(event)))
}

/** The dispatcher of the pipeline, with the webhook secrets (unused by the long connection). */
export const dispatcher = (pipeline: Pipeline, options: EventDispatcher.Options): EventDispatcher.EventDispatcher<never> => {
  const handler = onEvent(pipeline)
  return CHANNEL_EVENT_TYPES.reduce(
    (dispatcher: EventDispatcher.EventDispatcher<never>, type: string) => dispatcher.on(type, handler),
    EventDispatcher.make(options)
  )
}
