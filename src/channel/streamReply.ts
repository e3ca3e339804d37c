/**
 * A growing answer (an LLM's tokens, say) shown in CardKit cards:
 *
 * 1. `cardkit.v1.card.create` makes a card entity in streaming mode with one markdown element;
 * 2. the card is sent (or replied) by its card id;
 * 3. the element's content is replaced by the text received so far (`cardkit.v1.card.element.content`;
 *    the client types out what was appended), batched: at most `updatesPerSecond` updates, each with
 *    everything received until then;
 * 4. when the stream ends, the full text is written and streaming mode is switched off
 *    (`cardkit.v1.card.settings`). When the stream fails or the fiber is interrupted, the text so far is
 *    written with a visible note and streaming mode is switched off all the same, in an uninterruptible
 *    finalizer.
 *
 * The platform refuses an element text over 30,000 characters (230099, card error 11310) and an empty
 * one. So before a card's text would pass the limit, the card is finished with the text up to a line
 * break (or space) and the answer goes on in a new card, sent the same way. A code fence open at that cut
 * is closed at the end of the card and reopened (same marker and info string) at the start of the next;
 * read in order, the cards show the whole answer, unchanged but for those added fence lines. An element
 * never is empty: a placeholder stands in until text arrives, and a note when the stream ends without any.
 *
 * Every CardKit write carries a `sequence` that grows by one per card, as the platform requires. A failed
 * intermediate update is only logged and reported (`streaming.ts`: the channel's `Error` event; the next
 * one carries the whole text again, and goes on where a failed move to a new card stopped), as is a failed
 * note after a failure; the final ones fail the effect.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as CardKit from "../api/cardkit/v1/card.js"
import * as CardKitElement from "../api/cardkit/v1/cardElement.js"
import { catchAllCause, isInterruptedExit } from "../internal/dialect.js"
import type { LarkConfig } from "../LarkConfig.js"
import { ChannelSendError, fromLarkError } from "./errors.js"
import { closesFence, FENCE_OPEN } from "./fences.js"
import type { Message } from "./Message.js"
import { reply, type ReplyOptions, send, type SendOptions, type SendResult } from "./send.js"
import { DEFAULT_EMPTY_NOTE, DEFAULT_FAILED_NOTE, DEFAULT_INTERRUPTED_NOTE, failedWrite, UNBOUNDED_BATCH } from "./streaming.js"

/** The id of the markdown element that holds the answer. */
export const ANSWER_ELEMENT_ID = "answer"

/** The most characters (code points) the platform takes in one element. */
const ELEMENT_TEXT_LIMIT = 30_000

export interface StreamCardOptions {
  /** Card updates per second, at most (default 4). */
  readonly updatesPerSecond?: number | undefined
  /** A card header title. */
  readonly title?: string | undefined
  /** Shown until the first text arrives (default "…"; an empty one is replaced by the default). */
  readonly placeholder?: string | undefined
  /** Shown when the stream ends without any text (default "(no answer)", also for an empty one). */
  readonly emptyNote?: string | undefined
  /** Appended below the text when the stream fails. */
  readonly failedNote?: string | undefined
  /** Appended below the text when the stream is interrupted. */
  readonly interruptedNote?: string | undefined
}

export interface StreamReplyResult extends SendResult {
  /** The first card; a long answer goes on in more cards (`cardIds`, one message each in `chunkIds`). */
  readonly cardId: string
  /** Every card, in order. */
  readonly cardIds: ReadonlyArray<string>
  /** The whole text shown. */
  readonly text: string
}

const DEFAULT_PLACEHOLDER = "…"

type Requirements = LarkConfig | HttpClient.HttpClient

const placeholderOf = (options: StreamCardOptions): string => options.placeholder || DEFAULT_PLACEHOLDER

/** The card entity: streaming mode on, one markdown element. */
export const streamingCard = (options: StreamCardOptions) => ({
  schema: "2.0",
  config: {
    streaming_mode: true,
    update_multi: true,
    streaming_config: { print_strategy: "fast" }
  },
  ...(options.title === undefined ? {} : { header: { title: { tag: "plain_text", content: options.title } } }),
  body: { elements: [{ tag: "markdown", element_id: ANSWER_ELEMENT_ID, content: placeholderOf(options) }] }
})

/** The chat list shows the summary of a card; after streaming it is the start of the card's text. */
const summaryOf = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return Array.from(flat).slice(0, 60).join("")
}

/**
 * Where a card's `text` must end when it has more than `limit` characters (`undefined` when it fits): after
 * the last line break among its first `limit` characters, else after the last space, when either lies in
 * their second half and not inside the first `shown` code units (what the card already shows stays: its
 * text only grows); else right after them, between two characters.
 */
const cardEnd = (text: string, limit: number, shown: number): number | undefined => {
  let end = 0
  let characters = 0
  for (const character of text) {
    if (characters === limit) {
      const head = text.slice(0, end)
      const after = (at: number) => (at >= end / 2 && at + 1 >= shown ? at + 1 : undefined)
      return after(head.lastIndexOf("\n")) ?? after(head.search(/\s\S*$/)) ?? end
    }
    end += character.length
    characters++
  }
  return undefined
}

/** A fence opening line longer than this (not code a model writes) is not reopened in the next card. */
const FENCE_LINE_LIMIT = 1_000

interface Fence {
  /** The opening line, with its info string. */
  readonly line: string
  readonly marker: string
}

/**
 * The code fence open at the end of `text` (`fences.ts`): `undefined` when none is, or when its opening line
 * is the last, unfinished one or too long to reopen.
 */
const openFence = (text: string): Fence | undefined => {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""))
  let fence: (Fence & { readonly index: number }) | undefined
  for (const [index, line] of lines.entries()) {
    if (fence === undefined) {
      const marker = FENCE_OPEN.exec(line)?.[1]
      if (marker !== undefined) fence = { line, marker, index }
    } else if (closesFence(line, fence.marker)) {
      fence = undefined
    }
  }
  return fence !== undefined && fence.index < lines.length - 1 && Array.from(fence.line).length <= FENCE_LINE_LIMIT ? fence : undefined
}

/** A full card's final text; the next card shows `prefix`, then the answer from `end` of this card's content on. */
interface Cut {
  readonly text: string
  readonly end: number
  readonly prefix: string
}

/**
 * Where a card showing `content` must end (`cardEnd`; `undefined` when it fits). A code fence open at the cut
 * is closed in the card's text, so the cut keeps room for that closing line (`reserve` characters, raised
 * until it fits); and content ending in an open fence fits only with room for its closing line, so that a
 * card can always be finished with what it shows.
 */
const cardCut = (content: string, shown: number, reserve = 0): Cut | undefined => {
  const found = cardEnd(content, ELEMENT_TEXT_LIMIT - reserve, shown)
  // a hard cut before the end of what the card shows moves to that end: the card's text only grows
  const end = Math.max(found ?? content.length, shown)
  const head = content.slice(0, end)
  const fence = openFence(head)
  const closing = fence === undefined ? "" : `${head.endsWith("\n") ? "" : "\n"}${fence.marker}`
  const closingLength = Array.from(closing).length
  if (closingLength > reserve && end > shown) return cardCut(content, shown, closingLength)
  if (found === undefined) return undefined
  return { text: head + closing, end, prefix: fence === undefined ? "" : `${fence.line}\n` }
}

const createCard = (options: StreamCardOptions) =>
  CardKit.create({ data: { type: "card_json", data: JSON.stringify(streamingCard(options)) } }).pipe(
    Effect.mapError((error) => fromLarkError(error)),
    Effect.flatMap((answer) =>
      answer.card_id
        ? Effect.succeed(answer.card_id)
        : Effect.fail(new ChannelSendError({ code: "unknown", detail: "the platform answered no card_id" }))
    )
  )

/** One card of the answer, as far as it was written. */
interface Card {
  readonly cardId: string
  readonly messageId: string
  /** Where its text starts in the answer. */
  readonly start: number
  /** Shown before that text: the line reopening a code fence cut at the end of the card before ("" when none). */
  readonly prefix: string
  /** The last `sequence` written. */
  readonly sequence: number
  readonly shown: string
  /** Streaming mode is off: the card is finished. */
  readonly finished: boolean
  /**
   * Set once the card is full, and kept: more text must not move it, and with a closing fence line the
   * card's text no longer shows where it was.
   */
  readonly cut: Cut | undefined
}

/** Streams `text` into new cards that `deliver` sends by their card id. */
const streamCard = <E, R>(
  deliver: (cardId: string) => Effect.Effect<SendResult, ChannelSendError, Requirements>,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  Effect.gen(function*() {
    const placeholder = placeholderOf(options)
    const open = (start: number, prefix: string) =>
      Effect.flatMap(createCard(options), (cardId) =>
        Effect.map(deliver(cardId), (sent): Card => ({
          cardId,
          messageId: sent.messageId,
          start,
          prefix,
          sequence: 0,
          shown: placeholder,
          finished: false,
          cut: undefined
        })))
    const cards = yield* Ref.make<ReadonlyArray<Card>>([yield* open(0, "")])
    const received = yield* Ref.make("")

    const lastCard = Effect.map(Ref.get(cards), (all) => all.at(-1)!)
    const replaceLast = (card: Card) => Effect.as(Ref.update(cards, (all) => [...all.slice(0, -1), card]), card)
    // The sequence is spent before the call: a write that fails may still have reached the platform.
    const nextSequence = (card: Card) => Effect.as(replaceLast({ ...card, sequence: card.sequence + 1 }), card.sequence + 1)
    const write = (card: Card, content: string) =>
      card.shown === content
        ? Effect.succeed(card)
        : Effect.flatMap(nextSequence(card), (sequence) =>
          CardKitElement.content({ path: { card_id: card.cardId, element_id: ANSWER_ELEMENT_ID }, data: { content, sequence } }).pipe(
            Effect.mapError((error) => fromLarkError(error)),
            Effect.andThen(replaceLast({ ...card, sequence, shown: content }))
          ))
    const finish = (card: Card) =>
      Effect.flatMap(nextSequence(card), (sequence) =>
        CardKit.settings({
          path: { card_id: card.cardId },
          data: { settings: JSON.stringify({ config: { streaming_mode: false, summary: { content: summaryOf(card.shown) } } }), sequence }
        }).pipe(
          Effect.mapError((error) => fromLarkError(error)),
          Effect.andThen(replaceLast({ ...card, sequence, finished: true }))
        ))

    /** Shows `visible` (the answer so far, with any note): finishes full cards, opens new ones, writes the rest. */
    const show = (visible: string): Effect.Effect<Card, ChannelSendError, Requirements> =>
      Effect.gen(function*() {
        const card = yield* lastCard
        const content = card.prefix + visible.slice(card.start)
        const cut = card.cut ?? cardCut(content, content.startsWith(card.shown) ? card.shown.length : 0)
        if (cut === undefined) return yield* write(card, content === "" ? placeholder : content)
        if (!card.finished) {
          yield* replaceLast({ ...card, cut }).pipe(Effect.flatMap((full) => write(full, cut.text)), Effect.flatMap(finish))
        }
        const next = yield* open(card.start + cut.end - card.prefix.length, cut.prefix)
        yield* Ref.update(cards, (all) => [...all, next])
        return yield* show(visible)
      })
    const close = (visible: string) => Effect.flatMap(show(visible), finish)

    const interval = Duration.millis(1000 / Math.max(0.1, options.updatesPerSecond ?? 4))
    const pump = text.pipe(
      Stream.tap((piece) => Ref.update(received, (all) => all + piece)),
      Stream.groupedWithin(UNBOUNDED_BATCH, interval),
      Stream.mapEffect(() =>
        Effect.flatMap(Ref.get(received), show).pipe(
          Effect.catchTag("ChannelSendError", (error) => failedWrite("a streaming card update failed", Cause.fail(error)))
        )
      ),
      Stream.runDrain
    )
    const complete = Effect.flatMap(Ref.get(received), (all) => close(all === "" ? options.emptyNote || DEFAULT_EMPTY_NOTE : all))
    const markFailed = (exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        const note = isInterruptedExit(exit)
          ? options.interruptedNote ?? DEFAULT_INTERRUPTED_NOTE
          : options.failedNote ?? DEFAULT_FAILED_NOTE
        const all = yield* Ref.get(received)
        yield* close(all === "" ? note : `${all}\n\n${note}`)
      }).pipe(catchAllCause((cause) => failedWrite("could not mark the streaming card failed", cause)))

    yield* Effect.andThen(pump, complete).pipe(
      // runs uninterruptibly, also when the fiber is interrupted mid-stream
      Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : markFailed(exit)))
    )
    const all = yield* Ref.get(cards)
    return {
      messageId: all[0]!.messageId,
      chunkIds: all.map((card) => card.messageId),
      cardId: all[0]!.cardId,
      cardIds: all.map((card) => card.cardId),
      text: yield* Ref.get(received)
    }
  }).pipe(Effect.withSpan("lark.channel.streamReply"))

/** Streams `text` into cards that reply to `message` (see the module comment). */
export const streamReply = <E, R>(
  message: Pick<Message, "messageId" | "chatId" | "threadId">,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions & ReplyOptions = {}
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  streamCard((cardId) => reply(message, { cardId }, options), text, options)

/** Streams `text` into cards sent to `to` (a chat, open id, ... as `send` takes). */
export const streamSend = <E, R>(
  to: string,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions & SendOptions = {}
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  streamCard((cardId) => send(to, { cardId }, options), text, options)
