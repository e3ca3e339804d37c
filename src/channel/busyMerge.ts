/**
 * Merging while busy (spec B8: the Python channel's `merge_while_busy`, on there; Node's `mergeWhileBusy`,
 * off, as here): texts from one sender that arrive while their chat is still busy with earlier messages
 * wait in the chat's queue as one item, and are handed on as one `Message` when the chat's turn comes
 * (`mergeMessages`, as batching merges a burst).
 *
 * - Texts merge by the batching key (chat, thread, sender) until their item starts; a text that arrives
 *   after that waits in a new item. A message that is not plain text ends the sender's pending item (it
 *   keeps its place) and waits alone, so the order the user sent things in is kept.
 * - An item takes at most the batching limits (`maxMessages`, `maxChars`): a text that would pass either
 *   waits in the next item.
 * - Every message's `done` completes with the outcome of the merged message's handling.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { batchKey, type BatchingConfig, fits, isBatchable, mergeMessages, type Submit } from "./batching.js"
import type { Message } from "./Message.js"

/** An item waiting in its chat's queue. */
interface Pending {
  readonly key: string
  readonly messages: Array<Message>
  chars: number
  readonly dones: Array<Deferred.Deferred<unknown, unknown>>
}

/**
 * A {@link Submit} that queues by `offer` (the chat queue, keyed by chat id) and merges as above; `deliver`
 * handles one (merged) message.
 */
export const make = <R>(
  limits: Pick<BatchingConfig, "maxMessages" | "maxChars">,
  offer: (chatId: string, work: Effect.Effect<void, never, R>) => Effect.Effect<void>,
  deliver: (message: Message) => Effect.Effect<unknown, unknown, R>
): Submit => {
  // The items not started yet, by batching key. Read and written in synchronous blocks only, so a message
  // joining an item and the item starting never interleave.
  const waiting = new Map<string, Pending>()

  const run = (pending: Pending) =>
    Effect.suspend(() => {
      if (waiting.get(pending.key) === pending) waiting.delete(pending.key)
      return Effect.flatMap(
        Effect.exit(deliver(mergeMessages(pending.messages))),
        (exit) => Effect.forEach(pending.dones, (done) => Deferred.done(done, exit), { discard: true })
      )
    })

  return (message, done) =>
    Effect.suspend(() => {
      const key = batchKey(message)
      const joined = waiting.get(key)
      if (isBatchable(message) && joined !== undefined && fits(limits, joined, message)) {
        joined.messages.push(message)
        joined.chars += message.text.length
        joined.dones.push(done)
        return Effect.void
      }
      const pending: Pending = { key, messages: [message], chars: message.text.length, dones: [done] }
      if (isBatchable(message)) waiting.set(key, pending)
      else waiting.delete(key)
      return offer(message.chatId, run(pending))
    })
}
