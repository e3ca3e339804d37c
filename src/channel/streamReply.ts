/**
 * A growing answer (an LLM's tokens, say) shown in one card through CardKit:
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
 * Every CardKit write carries a `sequence` that grows by one per card, as the platform requires. A failed
 * intermediate update is only logged (the next one carries the whole text again); the final ones fail the
 * effect.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as CardKit from "../api/cardkit/v1/card.js"
import * as CardKitElement from "../api/cardkit/v1/cardElement.js"
import type { LarkConfig } from "../LarkConfig.js"
import { ChannelSendError, fromLarkError } from "./errors.js"
import type { Message } from "./Message.js"
import { reply, type ReplyOptions, send, type SendOptions, type SendResult } from "./send.js"

/** The id of the markdown element that holds the answer. */
export const ANSWER_ELEMENT_ID = "answer"

export interface StreamCardOptions {
  /** Card updates per second, at most (default 4). */
  readonly updatesPerSecond?: number | undefined
  /** A card header title. */
  readonly title?: string | undefined
  /** Shown until the first text arrives (default empty). */
  readonly placeholder?: string | undefined
  /** Appended below the text when the stream fails. */
  readonly failedNote?: string | undefined
  /** Appended below the text when the stream is interrupted. */
  readonly interruptedNote?: string | undefined
}

export interface StreamReplyResult extends SendResult {
  readonly cardId: string
  /** The whole text shown. */
  readonly text: string
}

const DEFAULT_FAILED_NOTE = "⚠️ The answer failed and is incomplete."
const DEFAULT_INTERRUPTED_NOTE = "⚠️ The answer was interrupted and is incomplete."
// groupedWithin wants a size bound; the time window is what batches here.
const UNBOUNDED_BATCH = 1_000_000

type Requirements = LarkConfig | HttpClient.HttpClient

/** The card entity: streaming mode on, one markdown element. */
export const streamingCard = (options: StreamCardOptions) => ({
  schema: "2.0",
  config: {
    streaming_mode: true,
    update_multi: true,
    streaming_config: { print_strategy: "fast" }
  },
  ...(options.title === undefined ? {} : { header: { title: { tag: "plain_text", content: options.title } } }),
  body: { elements: [{ tag: "markdown", element_id: ANSWER_ELEMENT_ID, content: options.placeholder ?? "" }] }
})

/** The chat list shows the summary of a card; after streaming it is the answer's start. */
const summaryOf = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return Array.from(flat).slice(0, 60).join("")
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

/** Streams `text` into a new card that `deliver` sends by its card id. */
const streamCard = <E, R>(
  deliver: (cardId: string) => Effect.Effect<SendResult, ChannelSendError, Requirements>,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  Effect.gen(function*() {
    const cardId = yield* createCard(options)
    const sent = yield* deliver(cardId)
    const sequence = yield* Ref.make(0)
    const received = yield* Ref.make("")
    const shown = yield* Ref.make(options.placeholder ?? "")

    const nextSequence = Ref.updateAndGet(sequence, (n) => n + 1)
    const show = (content: string) =>
      Effect.flatMap(nextSequence, (seq) =>
        CardKitElement.content({ path: { card_id: cardId, element_id: ANSWER_ELEMENT_ID }, data: { content, sequence: seq } })).pipe(
          Effect.mapError((error) => fromLarkError(error)),
          Effect.zipRight(Ref.set(shown, content))
        )
    const showIfChanged = (content: string) => Effect.flatMap(Ref.get(shown), (current) => (current === content ? Effect.void : show(content)))
    const closeStreaming = (text: string) =>
      Effect.flatMap(nextSequence, (seq) =>
        CardKit.settings({
          path: { card_id: cardId },
          data: { settings: JSON.stringify({ config: { streaming_mode: false, summary: { content: summaryOf(text) } } }), sequence: seq }
        })).pipe(Effect.mapError((error) => fromLarkError(error)))

    const interval = Duration.millis(1000 / Math.max(0.1, options.updatesPerSecond ?? 4))
    const pump = text.pipe(
      Stream.tap((piece) => Ref.update(received, (all) => all + piece)),
      Stream.groupedWithin(UNBOUNDED_BATCH, interval),
      Stream.mapEffect(() =>
        Effect.flatMap(Ref.get(received), showIfChanged).pipe(
          Effect.catchAll((error) => Effect.logWarning("lark channel: a streaming card update failed", error))
        )
      ),
      Stream.runDrain
    )
    const finish = Effect.flatMap(Ref.get(received), (all) => Effect.zipRight(showIfChanged(all), closeStreaming(all)))
    const markFailed = (exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        const note = Exit.isInterrupted(exit)
          ? options.interruptedNote ?? DEFAULT_INTERRUPTED_NOTE
          : options.failedNote ?? DEFAULT_FAILED_NOTE
        const all = yield* Ref.get(received)
        yield* show(all === "" ? note : `${all}\n\n${note}`)
        yield* closeStreaming(all)
      }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("lark channel: could not mark the streaming card failed", cause)))

    yield* Effect.zipRight(pump, finish).pipe(
      // runs uninterruptibly, also when the fiber is interrupted mid-stream
      Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : markFailed(exit)))
    )
    return { ...sent, cardId, text: yield* Ref.get(received) }
  }).pipe(Effect.withSpan("lark.channel.streamReply"))

/** Streams `text` into one card that replies to `message` (see the module comment). */
export const streamReply = <E, R>(
  message: Pick<Message, "messageId" | "chatId" | "threadId">,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions & ReplyOptions = {}
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  streamCard((cardId) => reply(message, { cardId }, options), text, options)

/** Streams `text` into one card sent to `to` (a chat, open id, ... as `send` takes). */
export const streamSend = <E, R>(
  to: string,
  text: Stream.Stream<string, E, R>,
  options: StreamCardOptions & SendOptions = {}
): Effect.Effect<StreamReplyResult, ChannelSendError | E, Requirements | R> =>
  streamCard((cardId) => send(to, { cardId }, options), text, options)
