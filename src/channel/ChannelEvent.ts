/**
 * What a channel emits: one tagged union for messages, interactions, membership changes, rejections,
 * connection state and failures. Build values with the constructors (`ChannelEvent.Message({...})`), match with
 * `ChannelEvent.$match` or `_tag`.
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import type { CardAction as CardActionPayload } from "../events/callbacks.js"
import type { Message as NormalizedMessage, UserIds } from "./Message.js"
import type { RejectReason } from "./policy.js"

/** An actor who may be a user (with ids) or an app; any id may be missing. */
export interface Operator {
  readonly openId?: string | undefined
  readonly unionId?: string | undefined
  readonly userId?: string | undefined
  readonly tenantKey?: string | undefined
}

/**
 * Where a failure reported as an `Error` event happened:
 * - `handler`: a handler failed (the platform redelivers a `Message` whose handler failed);
 * - `connection`: the connection ended for good (a `LongConnectionError`);
 * - `dedupe`: the de-duplication store failed while an event was received (an `EventDedupeError`; the
 *   platform is asked for a redelivery);
 * - `stream`: a card write of `streamReply` / `streamCardReply` failed that the stream went on after (an
 *   update; the next one carries everything again) or ended with (the note after a failure or an
 *   interruption). The final writes of a stream that succeeds fail the call instead;
 * - `reactions`: with `reactions: "own"`, the message a reaction was on could not be looked up (a
 *   `ChannelSendError`: a missing permission, the bot left the chat), so the reaction was dropped.
 */
export type ErrorSource = "handler" | "connection" | "dedupe" | "stream" | "reactions"

export type ChannelEvent = Data.TaggedEnum<{
  Message: NormalizedMessage
  /** A card button / select / form was used. The handler may answer with a toast or a new card. */
  CardAction: {
    readonly eventId: string
    readonly operator: Operator
    readonly messageId?: string | undefined
    readonly chatId?: string | undefined
    /** The card-update token (`c-...`). */
    readonly token?: string | undefined
    readonly action: CardActionPayload
    readonly raw?: unknown
  }
  Reaction: {
    readonly eventId: string
    readonly action: "added" | "removed"
    readonly messageId: string
    readonly emojiType: string
    readonly operator: Operator
    /** `user` or `app`. */
    readonly operatorType: string
    readonly actionTime?: number | undefined
  }
  BotAdded: {
    readonly eventId: string
    readonly chatId: string
    readonly operator: Operator
    readonly chatName?: string | undefined
    readonly external: boolean
  }
  BotRemoved: {
    readonly eventId: string
    readonly chatId: string
    readonly operator: Operator
    readonly chatName?: string | undefined
    readonly external: boolean
  }
  MessageRead: {
    readonly eventId: string
    readonly reader: Operator
    readonly readTime?: number | undefined
    readonly messageIds: ReadonlyArray<string>
  }
  /** A comment (or reply) on a document that concerns the bot. */
  Comment: {
    readonly eventId: string
    readonly fileToken: string
    readonly fileType: string
    readonly commentId: string
    readonly replyId?: string | undefined
    readonly operator: Operator
    readonly mentionedBot: boolean
    readonly noticeType?: string | undefined
  }
  /** A message that did not reach the handlers, and why. */
  Rejected: {
    readonly reason: RejectReason
    readonly messageId?: string | undefined
    readonly chatId?: string | undefined
    readonly sender?: UserIds | undefined
  }
  Reconnecting: {}
  Reconnected: {}
  /**
   * A failure nobody else would see (it is logged as well); `source` says where (see {@link ErrorSource}).
   * `cause` is the failure's whole `Cause`, e.g. a handler's `ChannelSendError`; the channel puts no
   * secret in it. A failing `Error` handler is not reported again.
   */
  Error: {
    readonly source: ErrorSource
    /** `source: "handler"`: the tag of the event it was handling. */
    readonly event?: string | undefined
    readonly cause: Cause.Cause<unknown>
  }
}>

export const ChannelEvent = Data.taggedEnum<ChannelEvent>()

export type ChannelEventTag = ChannelEvent["_tag"]
