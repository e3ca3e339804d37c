/**
 * Platform events → channel events. Pure: the v2 event as the dispatcher hands it over, plus what the
 * channel knows about itself (the bot's open id), in; a {@link ChannelEvent} out, or `None` for an event
 * the channel does not surface (an unrelated type, or a message without an id to act on).
 */
import * as Option from "effect/Option"
import type { ImChatMemberBotAddedV1, ImMessageMessageReadV1, ImMessageReactionCreatedV1, ImMessageReceiveV1 } from "../../schemas/events/im/v1.js"
import type { DriveNoticeCommentAddV1 } from "../../schemas/events/drive/v1.js"
import type { UserId } from "../../schemas/im/v1/models.js"
import type { CardActionTrigger } from "../events/callbacks.js"
import type { V2Event } from "../events/EventDispatcher.js"
import { ChannelEvent, type Operator } from "./ChannelEvent.js"
import { flattenContent } from "./flatten.js"
import type { ChatType, Mention, Message, SenderType } from "./Message.js"

export interface NormalizeContext {
  /** The bot's own open id: decides `mentionedBot` and which mention `bodyText` drops. */
  readonly botOpenId?: string | undefined
  /** Keep the event payload on `Message.raw` / `CardAction.raw`. */
  readonly includeRaw?: boolean | undefined
}

/** The platform events a channel turns into channel events. */
export const CHANNEL_EVENT_TYPES = [
  "im.message.receive_v1",
  "im.message.reaction.created_v1",
  "im.message.reaction.deleted_v1",
  "im.chat.member.bot.added_v1",
  "im.chat.member.bot.deleted_v1",
  "im.message.message_read_v1",
  "card.action.trigger",
  "drive.notice.comment_add_v1"
] as const

/** Int64 strings (milliseconds) → numbers; absent or malformed → `undefined`. */
const millis = (u: string | undefined): number | undefined => {
  const n = u === undefined || u === "" ? NaN : Number(u)
  return Number.isFinite(n) ? n : undefined
}

const nonEmpty = (u: string | undefined): string | undefined => (u === undefined || u === "" ? undefined : u)

const operatorOf = (id: UserId | undefined, tenantKey?: string): Operator => ({
  openId: nonEmpty(id?.open_id),
  unionId: nonEmpty(id?.union_id),
  userId: nonEmpty(id?.user_id),
  tenantKey: nonEmpty(tenantKey)
})

const CHAT_TYPES: Readonly<Record<string, ChatType>> = { p2p: "p2p", group: "group", topic: "topic", topic_group: "topic" }
const SENDER_TYPES: Readonly<Record<string, SenderType>> = {
  user: "user",
  bot: "bot",
  app: "app",
  system: "system",
  anonymous: "anonymous"
}

/** `im.message.receive_v1` → the normalized message (`None` without a message id). */
export const normalizeMessage = (
  eventId: string,
  payload: ImMessageReceiveV1,
  context: NormalizeContext = {}
): Option.Option<Message> => {
  const message = payload.message
  const messageId = nonEmpty(message?.message_id)
  if (message === undefined || messageId === undefined) return Option.none()
  const botOpenId = nonEmpty(context.botOpenId)
  const mentions: Array<Mention> = (message.mentions ?? []).map((m) => ({
    key: m.key ?? "",
    name: m.name ?? "",
    openId: m.id?.open_id ?? "",
    unionId: nonEmpty(m.id?.union_id),
    userId: nonEmpty(m.id?.user_id),
    isBot: botOpenId !== undefined && m.id?.open_id === botOpenId
  }))
  const type = message.message_type ?? "unknown"
  const flat = flattenContent(type, message.content, mentions, messageId)
  const senderType = SENDER_TYPES[payload.sender?.sender_type ?? ""] ?? "unknown"
  return Option.some({
    eventId,
    messageId,
    createTime: millis(message.create_time) ?? 0,
    updateTime: millis(message.update_time),
    chatId: message.chat_id ?? "",
    chatType: CHAT_TYPES[message.chat_type ?? ""] ?? "unknown",
    threadId: nonEmpty(message.thread_id),
    rootId: nonEmpty(message.root_id),
    replyToMessageId: nonEmpty(message.parent_id),
    sender: {
      openId: payload.sender?.sender_id?.open_id ?? "",
      unionId: nonEmpty(payload.sender?.sender_id?.union_id),
      userId: nonEmpty(payload.sender?.sender_id?.user_id),
      type: senderType,
      isBot: senderType === "app" || senderType === "bot",
      tenantKey: nonEmpty(payload.sender?.tenant_key)
    },
    mentions,
    mentionedBot: mentions.some((m) => m.isBot),
    mentionAll: flat.mentionAll || mentions.some((m) => m.key === "@_all"),
    contentType: type,
    text: flat.text,
    bodyText: flat.bodyText,
    resources: flat.resources,
    ...(context.includeRaw === true ? { raw: payload } : {})
  })
}

const reaction = (eventId: string, action: "added" | "removed", p: ImMessageReactionCreatedV1): Option.Option<ChannelEvent> => {
  const messageId = nonEmpty(p.message_id)
  if (messageId === undefined) return Option.none()
  return Option.some(ChannelEvent.Reaction({
    eventId,
    action,
    messageId,
    emojiType: p.reaction_type?.emoji_type ?? "",
    operator: operatorOf(p.user_id),
    operatorType: p.operator_type ?? "user",
    actionTime: millis(p.action_time)
  }))
}

const membership = (eventId: string, p: ImChatMemberBotAddedV1) => ({
  eventId,
  chatId: p.chat_id ?? "",
  operator: operatorOf(p.operator_id, p.operator_tenant_key),
  chatName: nonEmpty(p.name),
  external: p.external ?? false
})

const messageRead = (eventId: string, p: ImMessageMessageReadV1): ChannelEvent =>
  ChannelEvent.MessageRead({
    eventId,
    reader: operatorOf(p.reader?.reader_id, p.reader?.tenant_key),
    readTime: millis(p.reader?.read_time),
    messageIds: p.message_id_list ?? []
  })

const cardAction = (eventId: string, p: CardActionTrigger, context: NormalizeContext): ChannelEvent =>
  ChannelEvent.CardAction({
    eventId,
    operator: {
      openId: nonEmpty(p.operator?.open_id),
      unionId: nonEmpty(p.operator?.union_id),
      userId: nonEmpty(p.operator?.user_id),
      tenantKey: nonEmpty(p.operator?.tenant_key)
    },
    messageId: nonEmpty(p.context?.open_message_id),
    chatId: nonEmpty(p.context?.open_chat_id),
    token: nonEmpty(p.token),
    action: p.action ?? {},
    ...(context.includeRaw === true ? { raw: p } : {})
  })

const comment = (eventId: string, p: DriveNoticeCommentAddV1): ChannelEvent =>
  ChannelEvent.Comment({
    eventId,
    fileToken: p.notice_meta?.file_token ?? "",
    fileType: p.notice_meta?.file_type ?? "",
    commentId: p.comment_id ?? "",
    replyId: nonEmpty(p.reply_id),
    operator: operatorOf(p.notice_meta?.from_user_id),
    mentionedBot: p.is_mentioned ?? false,
    noticeType: nonEmpty(p.notice_meta?.notice_type)
  })

const asObject = <A>(u: unknown): A => (typeof u === "object" && u !== null ? u : {}) as A

/** Any v2 event → its channel event, or `None` for types the channel does not surface. */
export const normalizeEvent = (event: V2Event, context: NormalizeContext = {}): Option.Option<ChannelEvent> => {
  const eventId = event.header.event_id
  const payload = event.event
  switch (event.header.event_type) {
    case "im.message.receive_v1":
      return Option.map(normalizeMessage(eventId, asObject(payload), context), ChannelEvent.Message)
    case "im.message.reaction.created_v1":
      return reaction(eventId, "added", asObject(payload))
    case "im.message.reaction.deleted_v1":
      return reaction(eventId, "removed", asObject(payload))
    case "im.chat.member.bot.added_v1":
      return Option.some(ChannelEvent.BotAdded(membership(eventId, asObject(payload))))
    case "im.chat.member.bot.deleted_v1":
      return Option.some(ChannelEvent.BotRemoved(membership(eventId, asObject(payload))))
    case "im.message.message_read_v1":
      return Option.some(messageRead(eventId, asObject(payload)))
    case "card.action.trigger":
      return Option.some(cardAction(eventId, asObject(payload), context))
    case "drive.notice.comment_add_v1":
      return Option.some(comment(eventId, asObject(payload)))
    default:
      return Option.none()
  }
}
