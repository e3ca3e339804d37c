/**
 * The per-chat queue: work for one chat runs one at a time in arrival order, work for different chats runs
 * in parallel, and at most `concurrency` items run at once overall. Chats take turns: a worker runs one
 * item of the chat whose turn it is, then puts the chat back at the end of the line when it has more, so
 * one chat's backlog does not hold the others up. Workers exist only while there is work, so idle chats
 * cost nothing. Closing the scope interrupts all running work.
 *
 * `run` waits for the work's result. When the chat is idle and a slot is free it runs the work at once, on
 * the caller's fiber, with no hand-over at all (the common case: most chats are quiet most of the time).
 *
 * The work gets the context the queue was made in (without its `Scope`): given to each worker once rather than
 * to every item, and to an item run on its caller's fiber only when that fiber's context lacks some of it
 * (`provider.ts`): an item is the per-message hot path of a channel.
 *
 * A failing or dying item is logged and does not stop the items queued after it.
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Scope from "effect/Scope"
import { catchAllCause, intoDeferred } from "../internal/dialect.js"
import { provider } from "../internal/provider.js"

export interface ChatQueue<K = string, R = never> {
  /** Queues `work` behind the chat's earlier work; returns at once. */
  readonly offer: (key: K, work: Effect.Effect<void, unknown, R>) => Effect.Effect<void>
  /** Runs `work` in the chat's turn (after its earlier work) and answers its result. */
  readonly run: <A, E>(key: K, work: Effect.Effect<A, E, R>) => Effect.Effect<A, E>
  /** How many items are waiting or running, over all chats. */
  readonly size: Effect.Effect<number>
}

export interface ChatQueueOptions {
  /** Items running at the same time across all chats (default 16). */
  readonly concurrency?: number | undefined
}

interface Chat<R> {
  readonly items: Array<Effect.Effect<void, unknown, R>>
  /** A worker is running one of its items. */
  running: boolean
}

export const make = <K = string, R = never>(
  options: ChatQueueOptions = {}
): Effect.Effect<ChatQueue<K, R>, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const concurrency = Math.max(1, options.concurrency ?? 16)
    const provide = provider(Context.omit(Scope.Scope)(yield* Effect.context<R | Scope.Scope>()) as Context.Context<R>)
    const fibers = yield* FiberSet.make()
    // State is read and written in `Effect.sync` blocks only, so "queue or start a worker" and "take a turn
    // or retire" never interleave. A chat is in `ready` exactly when it has items and no worker on it.
    const chats = new Map<K, Chat<R>>()
    const ready: Array<K> = []
    let workers = 0
    let size = 0

    /** The next turn (its chat marked running), or `undefined` after retiring the worker when nobody waits. */
    const takeTurn = (): readonly [K, Chat<R>, Effect.Effect<void, unknown, R>] | undefined => {
      const key = ready.shift()
      if (key === undefined) {
        workers--
        return undefined
      }
      const chat = chats.get(key)!
      chat.running = true
      return [key, chat, chat.items.shift()!]
    }

    const endTurn = (key: K, chat: Chat<R>) => {
      size--
      chat.running = false
      if (chat.items.length > 0) ready.push(key)
      else chats.delete(key)
    }

    const worker: Effect.Effect<void, never, R> = Effect.flatMap(Effect.sync(takeTurn), (turn) => {
      if (turn === undefined) return Effect.void
      const [key, chat, work] = turn
      return work.pipe(
        catchAllCause((cause) => Effect.logError("lark channel: chat work failed", cause)),
        Effect.andThen(Effect.sync(() => endTurn(key, chat))),
        Effect.andThen(worker)
      )
    })
    const startWorker = Effect.asVoid(FiberSet.run(fibers, provide(worker)))

    const offer = (key: K, work: Effect.Effect<void, unknown, R>) =>
      Effect.suspend(() => {
        size++
        const chat = chats.get(key)
        if (chat === undefined) chats.set(key, { items: [work], running: false })
        else chat.items.push(work)
        if (chat !== undefined && (chat.running || chat.items.length > 1)) return Effect.void
        ready.push(key)
        if (workers >= concurrency) return Effect.void
        workers++
        return startWorker
      })

    /** After an item run on its caller's fiber: the slot it held goes to a worker when chats are waiting. */
    const endInline = (key: K, chat: Chat<R>) =>
      Effect.suspend(() => {
        endTurn(key, chat)
        if (ready.length === 0) {
          workers--
          return Effect.void
        }
        return startWorker
      })

    const run = <A, E>(key: K, work: Effect.Effect<A, E, R>): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        if (chats.has(key) || workers >= concurrency) {
          return Effect.flatMap(Deferred.make<A, E>(), (done) =>
            Effect.andThen(offer(key, Effect.asVoid(intoDeferred(work, done))), Deferred.await(done)))
        }
        size++
        workers++
        const chat: Chat<R> = { items: [], running: true }
        chats.set(key, chat)
        return Effect.onExit(provide(work), () => endInline(key, chat))
      })

    return { offer, run, size: Effect.sync(() => size) } satisfies ChatQueue<K, R>
  })
