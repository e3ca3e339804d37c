/**
 * What a bot does to messages after sending them, and what it reads: edit, recall, reactions, card
 * updates, resource downloads and chat info. Each is one generated API call with its failure classified
 * as a `ChannelSendError` (`fromLarkError`).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImChat from "../api/im/v1/chat.js"
import * as ImMessage from "../api/im/v1/message.js"
import * as ImMessageReaction from "../api/im/v1/messageReaction.js"
import * as ImMessageResource from "../api/im/v1/messageResource.js"
import type { CardJson } from "../events/callbacks.js"
import type { DownloadedFile, FileStream } from "../Files.js"
import { LarkConfig } from "../LarkConfig.js"
import { mapConcat } from "../internal/dialect.js"
import type { LarkError } from "../LarkError.js"
import * as Content from "./content.js"
import { type CallKind, ChannelSendError, fromLarkError } from "./errors.js"
import type { Resource } from "./Message.js"
import type { MessageSender } from "./reactions.js"

type Requirements = LarkConfig | HttpClient.HttpClient

const classified = (kind: CallKind = "send") => <A, R>(call: Effect.Effect<A, LarkError, R>) =>
  Effect.mapError(call, (error) => fromLarkError(error, kind))

/** What a sent message can be edited into: the platform edits text and post messages only. */
export type EditableMessage = string | { readonly text: string } | { readonly markdown: string } | { readonly post: Content.PostLocales }

const editableContent = (message: EditableMessage): Content.OutboundContent =>
  typeof message === "string"
    ? Content.markdown(message)
    : "text" in message
    ? Content.text(message.text)
    : "markdown" in message
    ? Content.markdown(message.markdown)
    : Content.post(message.post)

/** Replaces the content of a text or post message the bot sent (a bare string is markdown). */
export const editMessage = (messageId: string, message: EditableMessage): Effect.Effect<void, ChannelSendError, Requirements> =>
  ImMessage.update({ path: { message_id: messageId }, data: editableContent(message) }).pipe(classified(), Effect.asVoid)

/** Recalls (deletes) a message the bot sent. */
export const recallMessage = (messageId: string): Effect.Effect<void, ChannelSendError, Requirements> =>
  ImMessage.delete_({ path: { message_id: messageId } }).pipe(classified(), Effect.asVoid)

/** Adds an emoji reaction (`THUMBSUP`, `OK`, `DONE`, ...); answers the reaction id that removes it. */
export const addReaction = (messageId: string, emojiType: string): Effect.Effect<string, ChannelSendError, Requirements> =>
  ImMessageReaction.create({ path: { message_id: messageId }, data: { reaction_type: { emoji_type: emojiType } } }).pipe(
    classified(),
    Effect.flatMap((answer) =>
      answer.reaction_id
        ? Effect.succeed(answer.reaction_id)
        : Effect.fail(new ChannelSendError({ code: "unknown", detail: "the platform answered no reaction_id" }))
    )
  )

export const removeReaction = (messageId: string, reactionId: string): Effect.Effect<void, ChannelSendError, Requirements> =>
  ImMessageReaction.delete_({ path: { message_id: messageId, reaction_id: reactionId } }).pipe(classified(), Effect.asVoid)

/** The platform's answer for a reaction that does not exist (any more). */
const REACTION_GONE = 231003

/**
 * Removes the bot's own `emojiType` reactions from a message: lists the message's reactions of that type
 * (every page), keeps those whose operator is this app, and deletes them one by one. Answers how many it
 * removed (0 when the bot had none); one removed in between by someone else is not counted.
 */
export const removeReactionByEmoji = (messageId: string, emojiType: string): Effect.Effect<number, ChannelSendError, Requirements> =>
  Effect.gen(function*() {
    const { appId } = yield* LarkConfig
    const reactions = ImMessageReaction.listStream({ path: { message_id: messageId }, params: { reaction_type: emojiType, page_size: 50 } })
    const own = yield* mapConcat(reactions, (r) =>
      r.operator?.operator_type === "app" && r.operator.operator_id === appId && r.reaction_id != null ? [r.reaction_id] : []
    ).pipe(
      Stream.runCollect,
      classified()
    )
    let removed = 0
    for (const reactionId of own) {
      removed += yield* removeReaction(messageId, reactionId).pipe(
        Effect.as(1),
        Effect.catchIf((error) => error.larkCode === REACTION_GONE, () => Effect.succeed(0))
      )
    }
    return removed
  })

/** Replaces the card of an interactive message the bot sent (the card must be updatable: `config.update_multi`). */
export const updateCard = (messageId: string, card: CardJson): Effect.Effect<void, ChannelSendError, Requirements> =>
  ImMessage.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } }).pipe(classified(), Effect.asVoid)

const resourcePayload = (resource: Pick<Resource, "messageId" | "key" | "downloadType">) => ({
  path: { message_id: resource.messageId, file_key: resource.key },
  params: { type: resource.downloadType }
})

/** Downloads an attachment of a received message (`Message.resources`) into memory. */
export const downloadResource = (
  resource: Pick<Resource, "messageId" | "key" | "downloadType">
): Effect.Effect<DownloadedFile, ChannelSendError, Requirements> =>
  ImMessageResource.get(resourcePayload(resource)).pipe(classified("download"))

/** Streams an attachment of a received message; closing the scope aborts the download. */
export const downloadResourceStream = (
  resource: Pick<Resource, "messageId" | "key" | "downloadType">
): Effect.Effect<FileStream<ChannelSendError>, ChannelSendError, Requirements | Scope.Scope> =>
  ImMessageResource.getStream(resourcePayload(resource)).pipe(
    classified("download"),
    Effect.map((file) => ({ ...file, stream: Stream.mapError(file.stream, (error) => fromLarkError(error, "download")) }))
  )

/** Who sent a message (`GET /im/v1/messages/{id}`): a message the bot sent has type `app` and the app id. */
export const getMessageSender = (messageId: string): Effect.Effect<MessageSender, ChannelSendError, Requirements> =>
  ImMessage.get({ path: { message_id: messageId } }).pipe(
    classified(),
    Effect.map((answer) => {
      const sender = answer.items?.[0]?.sender
      return { senderType: sender?.sender_type, id: sender?.id }
    })
  )

/** A chat as the bot sees it; `raw` is the platform's whole answer. */
export interface ChatInfo {
  readonly chatId: string
  readonly name: string | undefined
  readonly description: string | undefined
  /** `group`, `topic` or `p2p`. */
  readonly chatMode: string | undefined
  /** `private` or `public`. */
  readonly chatType: string | undefined
  readonly ownerId: string | undefined
  readonly external: boolean
  readonly userCount: number | undefined
  readonly botCount: number | undefined
  readonly raw: ImChat.GetChatResponse
}

const count = (value: string | undefined): number | undefined => (value === undefined || value === "" ? undefined : Number(value))

export const getChatInfo = (chatId: string): Effect.Effect<ChatInfo, ChannelSendError, Requirements> =>
  ImChat.get({ path: { chat_id: chatId } }).pipe(
    classified(),
    Effect.map((raw): ChatInfo => ({
      chatId,
      name: raw.name,
      description: raw.description,
      chatMode: raw.chat_mode,
      chatType: raw.chat_type,
      ownerId: raw.owner_id,
      external: raw.external === true,
      userCount: count(raw.user_count),
      botCount: count(raw.bot_count),
      raw
    }))
  )

/** The chat's mode: `topic` for a topic group (threads only), `group`, or `p2p` (`unknown` when not said). */
export type ChatMode = "p2p" | "group" | "topic" | "unknown"

const CHAT_MODES: Readonly<Record<string, ChatMode>> = { p2p: "p2p", group: "group", topic: "topic" }

/** The chat's mode from the chat API (`chat_mode`), which tells a topic group from an ordinary one. */
export const getChatMode = (chatId: string): Effect.Effect<ChatMode, ChannelSendError, Requirements> =>
  Effect.map(getChatInfo(chatId), (info) => CHAT_MODES[info.chatMode ?? ""] ?? "unknown")
