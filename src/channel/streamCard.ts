/**
 * A card that changes as a producer makes new versions of it (progress, a plan filling in, an answer
 * with buttons at the end), shown in one CardKit card entity; each element of the stream is a whole card
 * (`lark-effect/cards` builders):
 *
 * 1. the first card of the stream becomes a card entity in streaming mode (`cardkit.v1.card.create`),
 *    which is sent (or replied) by its card id;
 * 2. later cards replace it whole (`cardkit.v1.card.update`), batched like `streamReply`'s text: at most
 *    `updatesPerSecond` updates, each with the latest card received until then;
 * 3. when the stream ends, the last card is written and streaming mode is switched off
 *    (`cardkit.v1.card.settings`). When the stream fails or the fiber is interrupted, the last card is
 *    written with a markdown note at the end of its body and streaming mode is switched off all the same,
 *    in an uninterruptible finalizer. A stream without any card shows a card with `emptyNote`.
 *
 * Each card is checked with `Card.validate` when it arrives: one the platform would refuse ends the stream
 * with the `ChannelSendError` (`format_error`) `send` fails with for it, before anything is written for
 * that card; the last valid card is left with the failed note, as for any failing stream.
 *
 * Cards are written in streaming mode (`config.streaming_mode`, `update_multi`), whatever they say. Every
 * write carries a `sequence` that grows by one, as the platform requires. A failed intermediate update is
 * only logged and reported (`streaming.ts`: the channel's `Error` event; the next one carries the whole
 * card again, and a failed create is retried by it), as is a failed note after a failure; the final
 * writes fail the effect.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as CardKit from "../api/cardkit/v1/card.js"
import type { Card } from "../cards/model.js"
import { validate } from "../cards/validate.js"
import { catchAllCause, fromOutcome, isInterruptedExit, mapOutcomeError } from "../internal/dialect.js"
import type { LarkConfig } from "../LarkConfig.js"
import { ChannelSendError, fromCardError, fromLarkError } from "./errors.js"
import type { Message } from "./Message.js"
import { reply, type ReplyOptions, send, type SendOptions, type SendResult } from "./send.js"
import { DEFAULT_EMPTY_NOTE, DEFAULT_FAILED_NOTE, DEFAULT_INTERRUPTED_NOTE, failedWrite, UNBOUNDED_BATCH } from "./streaming.js"

export interface StreamCardsOptions {
  /** Card updates per second, at most (default 4). */
  readonly updatesPerSecond?: number | undefined
  /** The card's text when the stream ends without any card (default "(no answer)"). */
  readonly emptyNote?: string | undefined
  /** Added below the last card's body when the stream fails. */
  readonly failedNote?: string | undefined
  /** Added below the last card's body when the stream is interrupted. */
  readonly interruptedNote?: string | undefined
}

export interface StreamCardsResult extends SendResult {
  readonly cardId: string
  /** The card shown at the end (without the streaming settings). */
  readonly card: Card
}

type Requirements = LarkConfig | HttpClient.HttpClient

/** `card` as written during streaming: streaming mode on, updatable. */
const streaming = (card: Card) => ({ ...card, config: { ...card.config, streaming_mode: true, update_multi: true } })

const cardJson = (card: Card) => ({ type: "card_json" as const, data: JSON.stringify(streaming(card)) })

/** A card of one markdown paragraph, or `card` with it added below its body. */
const withNote = (card: Card | undefined, note: string): Card => {
  const element = { tag: "markdown" as const, content: note }
  return card === undefined
    ? { schema: "2.0", body: { elements: [element] } }
    : { ...card, body: { ...card.body, elements: [...card.body.elements, element] } }
}

/** The card entity as far as it was written. */
interface Entity {
  readonly cardId: string
  readonly messageId: string
  /** The last `sequence` spent. */
  readonly sequence: number
  readonly shown: Card
}

const streamCards = <E, R>(
  deliver: (cardId: string) => Effect.Effect<SendResult, ChannelSendError, Requirements>,
  cards: Stream.Stream<Card, E, R>,
  options: StreamCardsOptions
): Effect.Effect<StreamCardsResult, ChannelSendError | E, Requirements | R> =>
  Effect.gen(function*() {
    const entity = yield* Ref.make(Option.none<Entity>())
    const latest = yield* Ref.make<Card | undefined>(undefined)

    const keep = (written: Entity) => Effect.as(Ref.set(entity, Option.some(written)), written)
    // The sequence is spent before the call: a write that fails may still have reached the platform.
    const spend = (current: Entity) => keep({ ...current, sequence: current.sequence + 1 })
    const create = (card: Card) =>
      CardKit.create({ data: cardJson(card) }).pipe(
        Effect.mapError((error) => fromLarkError(error)),
        Effect.flatMap((answer) =>
          answer.card_id
            ? Effect.succeed(answer.card_id)
            : Effect.fail(new ChannelSendError({ code: "unknown", detail: "the platform answered no card_id" }))
        ),
        Effect.flatMap((cardId) =>
          Effect.map(deliver(cardId), (sent): Entity => ({ cardId, messageId: sent.messageId, sequence: 0, shown: card }))
        ),
        Effect.flatMap(keep)
      )
    const update = (current: Entity, card: Card) =>
      current.shown === card
        ? Effect.succeed(current)
        : Effect.flatMap(spend(current), (next) =>
          CardKit.update({ path: { card_id: next.cardId }, data: { card: cardJson(card), sequence: next.sequence } }).pipe(
            Effect.mapError((error) => fromLarkError(error)),
            Effect.andThen(keep({ ...next, shown: card }))
          ))
    const show = (card: Card): Effect.Effect<Entity, ChannelSendError, Requirements> =>
      Effect.flatMap(Ref.get(entity), Option.match({ onNone: () => create(card), onSome: (current) => update(current, card) }))
    const finish = (current: Entity) =>
      Effect.flatMap(spend(current), (next) =>
        CardKit.settings({
          path: { card_id: next.cardId },
          data: { settings: JSON.stringify({ config: { streaming_mode: false } }), sequence: next.sequence }
        }).pipe(Effect.mapError((error) => fromLarkError(error)), Effect.as(next)))
    const close = (card: Card) => Effect.flatMap(show(card), finish)

    const interval = Duration.millis(1000 / Math.max(0.1, options.updatesPerSecond ?? 4))
    const pump = cards.pipe(
      Stream.mapEffect((card) => fromOutcome(mapOutcomeError(validate(card), fromCardError))),
      Stream.tap((card) => Ref.set(latest, card)),
      Stream.groupedWithin(UNBOUNDED_BATCH, interval),
      Stream.mapEffect(() =>
        Effect.flatMap(Ref.get(latest), (card) => (card === undefined ? Effect.void : show(card))).pipe(
          Effect.catchTag("ChannelSendError", (error) => failedWrite("a streaming card update failed", Cause.fail(error)))
        )
      ),
      Stream.runDrain
    )
    const complete = Effect.flatMap(Ref.get(latest), (card) =>
      close(card ?? withNote(undefined, options.emptyNote || DEFAULT_EMPTY_NOTE)))
    const markFailed = (exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        const note = isInterruptedExit(exit)
          ? options.interruptedNote ?? DEFAULT_INTERRUPTED_NOTE
          : options.failedNote ?? DEFAULT_FAILED_NOTE
        yield* close(withNote(yield* Ref.get(latest), note))
      }).pipe(catchAllCause((cause) => failedWrite("could not mark the streaming card failed", cause)))

    const last = yield* Effect.andThen(pump, complete).pipe(
      // runs uninterruptibly, also when the fiber is interrupted mid-stream
      Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : markFailed(exit)))
    )
    return { messageId: last.messageId, chunkIds: [last.messageId], cardId: last.cardId, card: last.shown }
  }).pipe(Effect.withSpan("lark.channel.streamCard"))

/** Streams `cards` into one card entity that replies to `message` (see the module comment). */
export const streamCardReply = <E, R>(
  message: Pick<Message, "messageId" | "chatId" | "threadId">,
  cards: Stream.Stream<Card, E, R>,
  options: StreamCardsOptions & ReplyOptions = {}
): Effect.Effect<StreamCardsResult, ChannelSendError | E, Requirements | R> =>
  streamCards((cardId) => reply(message, { cardId }, options), cards, options)

/** Streams `cards` into one card entity sent to `to` (a chat, open id, ... as `send` takes). */
export const streamCardSend = <E, R>(
  to: string,
  cards: Stream.Stream<Card, E, R>,
  options: StreamCardsOptions & SendOptions = {}
): Effect.Effect<StreamCardsResult, ChannelSendError | E, Requirements | R> =>
  streamCards((cardId) => send(to, { cardId }, options), cards, options)
