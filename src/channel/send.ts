/**
 * `send` and `reply`: a message to a chat or person, or in reply to a message, with the fallbacks of spec
 * B5.
 *
 * - The recipient's id type is inferred from the id (`inferReceiveIdType`) unless given.
 * - Long text and markdown go out as several messages; the caller's `uuid` (idempotency) goes on the
 *   first only. When replying, only the first chunk is a reply, unless the reply is in a thread, where
 *   every chunk is.
 * - Fallback 1: a reply whose target was recalled or deleted (`target_revoked`) is sent as a new message
 *   to the chat, unless `replyTargetGone: "fail"`.
 * - Fallback 2: a post the platform refuses as malformed (`format_error`) is resent as plain text.
 * - Retries (`retry`, see `retry.ts`): every call of the send, uploads included, is retried by these
 *   settings (3 attempts, 500 ms apart and doubling, by default) instead of `LarkConfig.retrySchedule`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as ImMessage from "../api/im/v1/message.js"
import { getFailure, getSuccess, isFailure } from "../internal/dialect.js"
import { LarkConfig } from "../LarkConfig.js"
import { chunkIdempotencyKeys } from "./chunk.js"
import { compose, type ComposeOptions, type Piece } from "./compose.js"
import * as Content from "./content.js"
import { ChannelSendError, fromLarkError } from "./errors.js"
import { inferReceiveIdType, type ReceiveIdType } from "./idType.js"
import type { Message } from "./Message.js"
import type { OutboundMessage } from "./OutboundMessage.js"
import { type OutboundRetry, retrySchedule } from "./retry.js"

export interface SendOptions extends ComposeOptions {
  /** Overrides the id type inferred from `to`. */
  readonly receiveIdType?: ReceiveIdType | undefined
  /** Idempotency key of the first message (the platform drops a repeat within an hour). */
  readonly uuid?: string | undefined
  /** Reply to this message instead of starting a new one. */
  readonly replyTo?: string | undefined
  /** Reply inside the message's thread. */
  readonly replyInThread?: boolean | undefined
  /** A reply target that is gone: send a new message instead (`send`, the default) or fail. */
  readonly replyTargetGone?: "send" | "fail" | undefined
  /** How often and how far apart failed calls that are safe to send again are retried (3 attempts, 500 ms). */
  readonly retry?: OutboundRetry | undefined
}

export interface SendResult {
  /** The first message sent. */
  readonly messageId: string
  /** Every message sent, in order (one per chunk). */
  readonly chunkIds: ReadonlyArray<string>
}

type Requirements = LarkConfig | HttpClient.HttpClient

interface Target {
  readonly to: string
  readonly receiveIdType: ReceiveIdType
  readonly replyTo: string | undefined
  readonly replyInThread: boolean
  readonly uuid: string | undefined
}

const messageIdOf = (answer: { readonly message_id?: string | undefined }) =>
  answer.message_id
    ? Effect.succeed(answer.message_id)
    : Effect.fail(new ChannelSendError({ code: "unknown", detail: "the platform answered no message_id" }))

const create = (target: Target, content: Content.OutboundContent) =>
  ImMessage.create({
    params: { receive_id_type: target.receiveIdType },
    data: { receive_id: target.to, ...content, ...(target.uuid === undefined ? {} : { uuid: target.uuid }) }
  }).pipe(Effect.mapError((error) => fromLarkError(error)), Effect.flatMap(messageIdOf))

const replyTo = (messageId: string, target: Target, content: Content.OutboundContent) =>
  ImMessage.reply({
    path: { message_id: messageId },
    data: {
      ...content,
      ...(target.replyInThread ? { reply_in_thread: true } : {}),
      ...(target.uuid === undefined ? {} : { uuid: target.uuid })
    }
  }).pipe(Effect.mapError((error) => fromLarkError(error)), Effect.flatMap(messageIdOf))

/** Sends `piece` by `op`; a post refused as malformed is sent again by `op` as text (fallback 2). */
const withTextFallback = (piece: Piece, op: (content: Content.OutboundContent) => Effect.Effect<string, ChannelSendError, Requirements>) =>
  op(piece.content).pipe(
    Effect.catchIf(
      (error) => error.code === "format_error" && piece.textFallback !== undefined,
      () => op(Content.text(piece.textFallback!))
    )
  )

interface Delivered {
  readonly messageId: string
  /** The reply target turned out to be gone, so this went out as a new message. */
  readonly targetGone: boolean
}

/** Sends or replies; a vanished reply target becomes a new message unless `onTargetGone` is `fail` (fallback 1). */
const deliver = (target: Target, piece: Piece, onTargetGone: "send" | "fail"): Effect.Effect<Delivered, ChannelSendError, Requirements> => {
  const asNew = Effect.map(withTextFallback(piece, (content) => create(target, content)), (messageId) => ({ messageId, targetGone: false }))
  const messageId = target.replyTo
  if (messageId === undefined) return asNew
  return withTextFallback(piece, (content) => replyTo(messageId, target, content)).pipe(
    Effect.map((id): Delivered => ({ messageId: id, targetGone: false })),
    Effect.catchIf(
      (error) => error.code === "target_revoked" && onTargetGone === "send",
      (error) =>
        Effect.logInfo("lark channel: reply target is gone, sending a new message", { larkCode: error.larkCode }).pipe(
          Effect.andThen(asNew),
          Effect.map((delivered) => ({ ...delivered, targetGone: true }))
        )
    )
  )
}

/**
 * Sends `message` to `to`: a chat id (`oc_`), open id (`ou_`), union id (`on_`), email or user id. Uploads
 * its media first; see the module comment for chunking and the fallbacks.
 */
export const send = (
  to: string,
  message: OutboundMessage,
  options: SendOptions = {}
): Effect.Effect<SendResult, ChannelSendError, Requirements> =>
  Effect.gen(function*() {
    const checked = retrySchedule(options.retry)
    if (isFailure(checked)) return yield* new ChannelSendError({ code: "format_error", detail: getFailure(checked) })
    const schedule = getSuccess(checked)
    return yield* Effect.updateService(sendAll(to, message, options), LarkConfig, (config) => ({ ...config, retrySchedule: schedule }))
  }).pipe(Effect.withSpan("lark.channel.send"))

const sendAll = (to: string, message: OutboundMessage, options: SendOptions): Effect.Effect<SendResult, ChannelSendError, Requirements> =>
  Effect.gen(function*() {
    const pieces = yield* compose(message, options)
    if (pieces.length === 0) return yield* new ChannelSendError({ code: "format_error", detail: "the message is empty" })
    const keys = chunkIdempotencyKeys(pieces.length, options.uuid)
    const receiveIdType = inferReceiveIdType(to, options.receiveIdType)
    yield* Effect.annotateCurrentSpan({ receive_id_type: receiveIdType, chunks: pieces.length })
    const replyInThread = options.replyInThread === true
    const chunkIds: Array<string> = []
    let targetGone = false
    for (const [i, piece] of pieces.entries()) {
      const target: Target = {
        to: to.trim(),
        receiveIdType,
        replyTo: (i === 0 || replyInThread) && !targetGone ? options.replyTo : undefined,
        replyInThread,
        uuid: keys[i]
      }
      const delivered = yield* deliver(target, piece, options.replyTargetGone ?? "send")
      // once the target is known to be gone, later chunks go out as new messages at once
      targetGone ||= delivered.targetGone
      chunkIds.push(delivered.messageId)
    }
    return { messageId: chunkIds[0]!, chunkIds }
  })

export interface ReplyOptions extends Omit<SendOptions, "receiveIdType" | "replyTo"> {}

/**
 * Replies to a received message, in its thread when it was in one (a flat message is never moved into a
 * thread unless `replyInThread` says so). A gone target becomes a new message in the same chat.
 */
export const reply = (
  message: Pick<Message, "messageId" | "chatId" | "threadId">,
  content: OutboundMessage,
  options: ReplyOptions = {}
): Effect.Effect<SendResult, ChannelSendError, Requirements> =>
  send(message.chatId, content, {
    ...options,
    receiveIdType: "chat_id",
    replyTo: message.messageId,
    replyInThread: options.replyInThread ?? message.threadId !== undefined
  })
