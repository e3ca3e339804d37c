/**
 * The per-chat queue: work for one chat runs one at a time in arrival order, work for different chats runs
 * in parallel, and at most `concurrency` items run at once overall. A chat's worker fiber exists only while
 * that chat has work, so idle chats cost nothing. Closing the scope interrupts all running work.
 *
 * A failing or dying item is logged and does not stop the items queued after it.
 */
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"

export interface ChatQueue<K = string> {
  /** Queues `work` behind the chat's earlier work; returns at once. */
  readonly offer: (key: K, work: Effect.Effect<void, unknown>) => Effect.Effect<void>
  /** How many items are waiting or running, over all chats. */
  readonly size: Effect.Effect<number>
}

export interface ChatQueueOptions {
  /** Items running at the same time across all chats (default 16). */
  readonly concurrency?: number | undefined
}

export const make = <K = string>(options: ChatQueueOptions = {}): Effect.Effect<ChatQueue<K>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const permits = yield* Effect.makeSemaphore(Math.max(1, options.concurrency ?? 16))
    const workers = yield* FiberSet.make()
    // Pending work by chat; a chat has an entry exactly while its worker runs. Reads and writes happen in
    // `Effect.sync` blocks, so "append or start a worker" and "take next or retire" never interleave.
    const pending = new Map<K, Array<Effect.Effect<void, unknown>>>()
    let size = 0

    const runOne = (work: Effect.Effect<void, unknown>) =>
      permits.withPermits(1)(work).pipe(
        Effect.catchAllCause((cause) => Effect.logError("lark channel: chat work failed", cause)),
        Effect.ensuring(Effect.sync(() => size--))
      )

    const takeNext = (key: K) =>
      Effect.sync(() => {
        const queue = pending.get(key)!
        const next = queue.shift()
        if (next === undefined) pending.delete(key)
        return next
      })

    const worker = (key: K): Effect.Effect<void> =>
      Effect.flatMap(takeNext(key), (next) => (next === undefined ? Effect.void : Effect.zipRight(runOne(next), worker(key))))

    const offer = (key: K, work: Effect.Effect<void, unknown>) =>
      Effect.suspend(() => {
        size++
        const queue = pending.get(key)
        if (queue !== undefined) {
          queue.push(work)
          return Effect.void
        }
        pending.set(key, [work])
        return Effect.asVoid(FiberSet.run(workers, worker(key)))
      })

    return { offer, size: Effect.sync(() => size) } satisfies ChatQueue<K>
  })
