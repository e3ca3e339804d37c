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
import { isObject, num, objects, str, strings } from "./json.js"
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

// Every field is read by type (`str`, `num`, `objects` of `json.ts`): the payload's types are what the
// platform documents, not what a payload is guaranteed to hold, and normalizing must not throw (a throw
// fails the delivery, and the platform redelivers the same payload, failing again each time).

const nonEmpty = (u: unknown): string | undefined => (u === "" ? undefined : str(u))

const operatorOf = (id: UserId | undefined, tenantKey?: string): Operator => ({
  openId: nonEmpty(id?.open_id),
  unionId: nonEmpty(id?.union_id),
  userId: nonEmpty(id?.user_id),
  tenantKey: nonEmpty(tenantKey)
})

// Maps, not object literals: a `chat_type` of `constructor` must not find `Object`.
const CHAT_TYPES: ReadonlyMap<unknown, ChatType> = new Map([["p2p", "p2p"], ["group", "group"], ["topic", "topic"], ["topic_group", "topic"]])
const SENDER_TYPES: ReadonlyMap<unknown, SenderType> = new Map(
  (["user", "bot", "app", "system", "anonymous"] as const).map((type) => [type, type])
)

/** The message's mentions: entries that are not objects are skipped, fields of the wrong type read as empty. */
const mentionsOf = (list: unknown, botOpenId: string | undefined): Array<Mention> =>
  objects(list).map((m) => {
    const id = isObject(m.id) ? m.id : {}
    const openId = str(id.open_id) ?? ""
    return {
      key: str(m.key) ?? "",
      name: str(m.name) ?? "",
      openId,
      unionId: nonEmpty(id.union_id),
      userId: nonEmpty(id.user_id),
      isBot: botOpenId !== undefined && openId === botOpenId
    }
  })

/** `im.message.receive_v1` → the normalized message (`None` without a message id). */
export const normalizeMessage = (
  eventId: string,
  payload: ImMessageReceiveV1,
  context: NormalizeContext = {}
): Option.Option<Message> => {
  const message = payload.message
  const messageId = nonEmpty(message?.message_id)
  if (message === undefined || messageId === undefined) return Option.none()
  const mentions = mentionsOf(message.mentions, nonEmpty(context.botOpenId))
  const type = str(message.message_type) ?? "unknown"
  const flat = flattenContent(type, str(message.content), mentions, messageId)
  const senderType = SENDER_TYPES.get(payload.sender?.sender_type) ?? "unknown"
  return Option.some({
    eventId,
    messageId,
    createTime: num(message.create_time) ?? 0,
    updateTime: num(message.update_time),
    chatId: str(message.chat_id) ?? "",
    chatType: CHAT_TYPES.get(message.chat_type) ?? "unknown",
    threadId: nonEmpty(message.thread_id),
    rootId: nonEmpty(message.root_id),
    replyToMessageId: nonEmpty(message.parent_id),
    sender: {
      openId: str(payload.sender?.sender_id?.open_id) ?? "",
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
    emojiType: str(p.reaction_type?.emoji_type) ?? "",
    operator: operatorOf(p.user_id),
    operatorType: str(p.operator_type) ?? "user",
    actionTime: num(p.action_time)
  }))
}

const membership = (eventId: string, p: ImChatMemberBotAddedV1) => ({
  eventId,
  chatId: str(p.chat_id) ?? "",
  operator: operatorOf(p.operator_id, p.operator_tenant_key),
  chatName: nonEmpty(p.name),
  external: p.external === true
})

const messageRead = (eventId: string, p: ImMessageMessageReadV1): ChannelEvent =>
  ChannelEvent.MessageRead({
    eventId,
    reader: operatorOf(p.reader?.reader_id, p.reader?.tenant_key),
    readTime: num(p.reader?.read_time),
    messageIds: strings(p.message_id_list)
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
    action: isObject(p.action) ? p.action : {},
    ...(context.includeRaw === true ? { raw: p } : {})
  })

const comment = (eventId: string, p: DriveNoticeCommentAddV1): ChannelEvent =>
  ChannelEvent.Comment({
    eventId,
    fileToken: str(p.notice_meta?.file_token) ?? "",
    fileType: str(p.notice_meta?.file_type) ?? "",
    commentId: str(p.comment_id) ?? "",
    replyId: nonEmpty(p.reply_id),
    operator: operatorOf(p.notice_meta?.from_user_id),
    mentionedBot: p.is_mentioned === true,
    noticeType: nonEmpty(p.notice_meta?.notice_type)
  })

const asObject = <A>(u: unknown): A => (isObject(u) ? u : {}) as A

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
