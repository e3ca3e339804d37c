/**
 * Debounce batching of quick text bursts (spec B8): people often send one thought as several short
 * messages ("hi" / "can you" / "check this?"). With batching on, consecutive `text` messages from one
 * sender in one chat (and thread) are held until the sender pauses, then handed on as one `Message`.
 *
 * - The window restarts with every message: `debounce` (600 ms) after the latest one, `longDebounce`
 *   (2 s) when the latest one is long (`longText`, 1,000 characters: a pasted text the client split).
 * - A batch is handed on at once when it reaches `maxMessages` (8) or `maxChars` (4,000); a message that
 *   would take it past either limit starts the next batch instead.
 * - A message that is not plain text (an image, a file, a post) from the same sender first hands on the
 *   sender's pending batch, then goes on its own, so the order the user sent things in is kept.
 *
 * The merged message keeps the first message's ids (so a reply goes to the start of the burst), joins the
 * texts with new lines, and lists the originals in `batched`. A batch of one is the message unchanged.
 *
 * Timers are `Effect.sleep` on the `Clock`, so tests run under `TestClock`.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import { decodeDuration, type DurationInput, interruptFork, withDeferredMaker } from "../internal/dialect.js"
import type { Message } from "./Message.js"

export interface BatchingConfig {
  /** Quiet time after a message before its batch is handed on. Default 600 ms. */
  readonly debounce: DurationInput
  /** The quiet time after a long message (see `longText`). Default 2 seconds. */
  readonly longDebounce: DurationInput
  /** Characters from which a message counts as long. Default 1,000. */
  readonly longText: number
  /** Most messages in one batch. Default 8. */
  readonly maxMessages: number
  /** Most characters (of `text`) in one batch. Default 4,000. */
  readonly maxChars: number
}

export const defaultBatching: BatchingConfig = {
  debounce: Duration.millis(600),
  longDebounce: Duration.seconds(2),
  longText: 1000,
  maxMessages: 8,
  maxChars: 4000
}

/** Only plain text is merged; anything else is handed on alone. */
export const isBatchable = (message: Message): boolean => message.contentType === "text"

/** Messages of one key are merged: same chat, same thread, same sender. */
export const batchKey = (message: Message): string =>
  `${message.chatId}\u0000${message.threadId ?? ""}\u0000${message.sender.openId}`

/** One message out of a burst (in arrival order): the first one's ids, the texts joined, the originals kept. */
export const mergeMessages = (messages: ReadonlyArray<Message>): Message => {
  const first = messages[0]!
  if (messages.length === 1) return first
  return {
    ...first,
    mentions: messages.flatMap((m) => m.mentions),
    mentionedBot: messages.some((m) => m.mentionedBot),
    mentionAll: messages.some((m) => m.mentionAll),
    text: messages.map((m) => m.text).join("\n"),
    bodyText: messages.map((m) => m.bodyText).join("\n"),
    resources: messages.flatMap((m) => m.resources),
    // a burst merged again (merging while busy) lists its originals, not the burst
    batched: messages.flatMap((m) => m.batched ?? [m])
  }
}

/** Whether `message` may join a batch of `batch.messages` (`batch.chars` characters) under the limits. */
export const fits = (
  limits: Pick<BatchingConfig, "maxMessages" | "maxChars">,
  batch: { readonly messages: ReadonlyArray<Message>; readonly chars: number },
  message: Message
): boolean => batch.messages.length < limits.maxMessages && batch.chars + message.text.length <= limits.maxChars

/** Hands a message on; `done` must be completed once it has been handled (or failed). */
export type Submit = (message: Message, done: Deferred.Deferred<unknown, unknown>) => Effect.Effect<void>

export interface Batcher {
  /**
   * Adds `message` to its sender's batch (or hands it on alone, see the module comment). Answers the
   * deferred that completes when the message, as part of its batch, has been handled.
   */
  readonly offer: (message: Message) => Effect.Effect<Deferred.Deferred<unknown, unknown>>
}

interface Batch {
  readonly key: string
  readonly messages: Array<Message>
  chars: number
  readonly done: Deferred.Deferred<unknown, unknown>
  /** Bumped by every message: only the timer started for the latest one may hand the batch on. */
  generation: number
  timer: Fiber.Fiber<void> | undefined
}

/** Checks a configuration; answers the problem, if any. */
export const batchingProblem = (config: BatchingConfig): string | undefined => {
  if (!(Duration.toMillis(decodeDuration(config.debounce)) > 0)) return "batching.debounce must be positive"
  if (!(Duration.toMillis(decodeDuration(config.longDebounce)) > 0)) return "batching.longDebounce must be positive"
  if (!(Number.isInteger(config.maxMessages) && config.maxMessages >= 1)) return "batching.maxMessages must be a whole number ≥ 1"
  if (!(config.maxChars > 0)) return "batching.maxChars must be positive"
  if (!(config.longText > 0)) return "batching.longText must be positive"
  return undefined
}

/**
 * A batcher for the scope. Closing the scope stops the timers and interrupts the waiters of batches not
 * handed on yet (nothing was handled, so nothing is acknowledged: the platform delivers them again).
 */
export const make = (config: BatchingConfig, submit: Submit): Effect.Effect<Batcher, never, Scope.Scope> =>
  Effect.gen(function*() {
    const timers = yield* FiberSet.make<void>()
    // The open batch of each key. Reads and writes happen in synchronous blocks, so a timer taking a batch
    // and a message joining it never interleave.
    const open = new Map<string, Batch>()
    yield* Effect.addFinalizer(() =>
      Effect.forEach(Array.from(open.values()), (batch) => Deferred.interrupt(batch.done), { discard: true })
    )

    const wait = (message: Message) => (message.text.length >= config.longText ? config.longDebounce : config.debounce)
    const full = (batch: Batch) => batch.messages.length >= config.maxMessages || batch.chars >= config.maxChars

    /** Hands on batches already taken out of `open`, in order, and stops their timers. */
    const handOn = (batches: ReadonlyArray<Batch>) =>
      Effect.forEach(batches, (batch) =>
        Effect.andThen(
          submit(mergeMessages(batch.messages), batch.done),
          batch.timer === undefined ? Effect.void : interruptFork(batch.timer)
        ), { discard: true })

    /** Waits, then hands the batch on unless a later message restarted the wait or it was handed on already. */
    const startTimer = (batch: Batch, message: Message) => {
      const generation = batch.generation
      const fire = Effect.suspend(() => {
        if (open.get(batch.key) !== batch || batch.generation !== generation) return Effect.void
        open.delete(batch.key)
        return submit(mergeMessages(batch.messages), batch.done)
      })
      return Effect.flatMap(
        FiberSet.run(timers, Effect.andThen(Effect.sleep(wait(message)), Effect.uninterruptible(fire))),
        (timer) => {
          const previous = batch.timer
          batch.timer = timer
          return previous === undefined ? Effect.void : interruptFork(previous)
        }
      )
    }

    const offer = (message: Message): Effect.Effect<Deferred.Deferred<unknown, unknown>> =>
      withDeferredMaker((makeDeferred) => {
        // Everything about `open` is decided here, synchronously; the effects run afterwards.
        const key = batchKey(message)
        const pending = open.get(key)
        const taken: Array<Batch> = []
        const takeOut = (batch: Batch) => {
          open.delete(batch.key)
          taken.push(batch)
        }
        const fresh = (): Batch => ({
          key,
          messages: [message],
          chars: message.text.length,
          done: makeDeferred<unknown, unknown>(),
          generation: 0,
          timer: undefined
        })
        if (!isBatchable(message)) {
          if (pending !== undefined) takeOut(pending)
          const alone = fresh()
          taken.push(alone)
          return Effect.as(handOn(taken), alone.done)
        }
        let batch: Batch
        if (pending !== undefined && fits(config, pending, message)) {
          batch = pending
          batch.messages.push(message)
          batch.chars += message.text.length
          batch.generation++
        } else {
          if (pending !== undefined) takeOut(pending)
          batch = fresh()
          open.set(key, batch)
        }
        if (full(batch)) {
          takeOut(batch)
          return Effect.as(handOn(taken), batch.done)
        }
        return handOn(taken).pipe(Effect.andThen(startTimer(batch, message)), Effect.as(batch.done))
      })

    return { offer } satisfies Batcher
  })
