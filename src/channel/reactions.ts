/**
 * Which `Reaction` events reach the app (the Python channel's `reaction_notifications`):
 *
 * - `all` (this SDK's default, so existing bots keep what they had): every reaction the platform sends;
 * - `own`: only reactions on messages the bot itself sent (the Python default) — a thumbs-up on the bot's
 *   answer is feedback, one on a user's message usually is not;
 * - `off`: none (the events are still acknowledged).
 *
 * For `own` the reacted message's sender is looked up once (`GET /im/v1/messages/{id}`: a message the bot
 * sent has sender type `app` and the app id as sender id) and remembered for the most recent
 * `cacheSize` messages. A failed lookup drops the reaction (unknown is not "own"), with a warning, and is
 * handed to `lookupFailed` (the channel publishes it as an `Error` event).
 */
import * as Effect from "effect/Effect"
import type { ChannelSendError } from "./errors.js"
import type { EventOf } from "./handlers.js"

export type ReactionNotifications = "all" | "own" | "off"

/** Decides whether a reaction is delivered. */
export type ReactionFilter = (event: EventOf<"Reaction">) => Effect.Effect<boolean>

/** The sender of a message: its type and id as the message API answers them. */
export interface MessageSender {
  readonly senderType: string | undefined
  readonly id: string | undefined
}

const DEFAULT_CACHE_SIZE = 1000

export const makeReactionFilter = (
  mode: ReactionNotifications,
  appId: string,
  senderOf: (messageId: string) => Effect.Effect<MessageSender, ChannelSendError>,
  lookupFailed: (error: ChannelSendError) => Effect.Effect<void>,
  cacheSize = DEFAULT_CACHE_SIZE
): ReactionFilter => {
  if (mode === "all") return () => Effect.succeed(true)
  if (mode === "off") return () => Effect.succeed(false)
  // message id → sent by this bot; a Map keeps insertion order, so the first key is the oldest
  const known = new Map<string, boolean>()
  const remember = (messageId: string, own: boolean) => {
    known.set(messageId, own)
    if (known.size > cacheSize) known.delete(known.keys().next().value!)
  }
  return (event) =>
    Effect.suspend(() => {
      const cached = known.get(event.messageId)
      if (cached !== undefined) return Effect.succeed(cached)
      return senderOf(event.messageId).pipe(
        Effect.map((sender) => {
          const own = sender.senderType === "app" && sender.id === appId
          remember(event.messageId, own)
          return own
        }),
        Effect.catchTag("ChannelSendError", (error) =>
          Effect.logWarning("lark channel: a reaction was dropped: its message could not be looked up", error).pipe(
            Effect.andThen(lookupFailed(error)),
            Effect.as(false)
          ))
      )
    })
}
