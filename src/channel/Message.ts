/**
 * The normalized inbound message: what a bot needs from an `im.message.receive_v1` event, flattened and
 * typed, so that handlers never parse `content` JSON or look up mention placeholders themselves.
 */

/** `topic` is a topic-mode group; a thread inside an ordinary group stays `group` (see `threadId`). */
export type ChatType = "p2p" | "group" | "topic" | "unknown"

/** Who sent the message, as the platform classifies it (`sender_type`). */
export type SenderType = "user" | "bot" | "app" | "system" | "anonymous" | "unknown"

/** A user's ids; `openId` is always there for users, the others only when the app may see them. */
export interface UserIds {
  readonly openId: string
  readonly unionId?: string | undefined
  readonly userId?: string | undefined
}

export interface Sender extends UserIds {
  readonly type: SenderType
  readonly isBot: boolean
  /** Known only when the platform or a name lookup supplies it. */
  readonly name?: string | undefined
  readonly tenantKey?: string | undefined
}

/** One `@` in the message. `key` is the placeholder in the raw content (`@_user_1`). */
export interface Mention extends UserIds {
  readonly key: string
  readonly name: string
  /** This mention is the receiving bot itself. */
  readonly isBot: boolean
}

export type ResourceKind = "image" | "file" | "audio" | "video" | "sticker"

/**
 * A downloadable attachment: `GET /im/v1/messages/{messageId}/resources/{key}?type={downloadType}`.
 * Images are fetched with type `image`, everything else with type `file`.
 */
export interface Resource {
  readonly kind: ResourceKind
  readonly key: string
  readonly messageId: string
  readonly downloadType: "image" | "file"
  readonly fileName?: string | undefined
  readonly durationMs?: number | undefined
  /** The cover image of a video. */
  readonly coverImageKey?: string | undefined
}

export interface Message {
  readonly eventId: string
  readonly messageId: string
  /** Milliseconds since the epoch (used for the stale check). */
  readonly createTime: number
  readonly updateTime?: number | undefined
  readonly chatId: string
  readonly chatType: ChatType
  readonly threadId?: string | undefined
  /** The first message of the reply chain or thread. */
  readonly rootId?: string | undefined
  /** The message this one replies to (`parent_id`). */
  readonly replyToMessageId?: string | undefined
  readonly sender: Sender
  readonly mentions: ReadonlyArray<Mention>
  readonly mentionedBot: boolean
  /** `@all` (`@_all`) appears in the message. */
  readonly mentionAll: boolean
  /** The platform's `message_type` (`text`, `post`, `image`, ...). */
  readonly contentType: string
  /** The content flattened to text, mentions rendered as `@name`, media as `[image]`-like markers. */
  readonly text: string
  /** `text` without the bot's own mention(s): what the user said to the bot. */
  readonly bodyText: string
  readonly resources: ReadonlyArray<Resource>
  /** The event payload as received, only when asked for (`includeRaw`). */
  readonly raw?: unknown
  /**
   * With batching on (`ChannelOptions.batching`), a message merged from a burst of texts lists the
   * originals here, in order; the merged message carries the first one's ids. Absent otherwise.
   */
  readonly batched?: ReadonlyArray<Message> | undefined
}
