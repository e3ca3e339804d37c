/**
 * Interactive messages in one call: send, reply with, or update to a built card (checked first, so a card
 * the platform would refuse fails with `LarkCardError` before anything is sent) or a card template.
 * They call the generated `im.v1.message.create`, `reply` and `patch`, so they need what every API call
 * needs: `LarkConfig | HttpClient`.
 *
 * node-sdk's `im.message.createByCard` / `replyByCard` / `updateByCard` take a template id and variables;
 * here that is `send` / `reply` / `update` with `Card.template(id, variables)`. (`updateByCard` edits with
 * `PUT`, the text / post edit API; `update` patches the card, the API made for cards.)
 */
import * as Effect from "effect/Effect"
import type { HttpClient } from "@effect/platform/HttpClient"
import * as message from "../api/im/v1/message.js"
import { inferReceiveIdType, type ReceiveIdType } from "../channel/idType.js"
import { fromOutcome } from "../internal/dialect.js"
import type { LarkConfig } from "../LarkConfig.js"
import type { LarkError } from "../LarkError.js"
import type { CallOptions } from "../Operation.js"
import type { Card, CardTemplate } from "./model.js"
import { type LarkCardError, validate } from "./validate.js"

type CardCall<A> = Effect.Effect<A, LarkError | LarkCardError, LarkConfig | HttpClient>

/** The message `content` of a card (checked) or a template. */
export const content = (card: Card | CardTemplate): Effect.Effect<string, LarkCardError> =>
  "type" in card ? Effect.succeed(JSON.stringify(card)) : Effect.map(fromOutcome(validate(card)), (valid) => JSON.stringify(valid))

export interface SendOptions {
  /** Guessed from the id when left out: `oc_` chat, `ou_` open id, `on_` union id, `@` email, else user id. */
  readonly receiveIdType?: ReceiveIdType | undefined
  /** Deduplicates a resend within an hour. */
  readonly uuid?: string | undefined
}

/** Sends `card` to `receiveId` (`im.v1.message.create` with `msg_type: "interactive"`). */
export const send = (
  receiveId: string,
  card: Card | CardTemplate,
  options: SendOptions = {},
  callOptions?: CallOptions
): CardCall<message.CreateMessageResponse> =>
  Effect.flatMap(content(card), (text) =>
    message.create({
      params: { receive_id_type: inferReceiveIdType(receiveId, options.receiveIdType) },
      data: { receive_id: receiveId, msg_type: "interactive", content: text, ...(options.uuid === undefined ? {} : { uuid: options.uuid }) }
    }, callOptions))

export interface ReplyOptions {
  /** Reply in the message's thread (creating it when there is none). */
  readonly replyInThread?: boolean | undefined
  readonly uuid?: string | undefined
}

/** Replies to `messageId` with `card` (`im.v1.message.reply`). */
export const reply = (
  messageId: string,
  card: Card | CardTemplate,
  options: ReplyOptions = {},
  callOptions?: CallOptions
): CardCall<message.ReplyMessageResponse> =>
  Effect.flatMap(content(card), (text) =>
    message.reply({
      path: { message_id: messageId },
      data: {
        msg_type: "interactive",
        content: text,
        ...(options.replyInThread === undefined ? {} : { reply_in_thread: options.replyInThread }),
        ...(options.uuid === undefined ? {} : { uuid: options.uuid })
      }
    }, callOptions))

/** Replaces the card of the interactive message `messageId` (`im.v1.message.patch`). */
export const update = (
  messageId: string,
  card: Card | CardTemplate,
  callOptions?: CallOptions
): CardCall<message.PatchMessageResponse> =>
  Effect.flatMap(content(card), (text) => message.patch({ path: { message_id: messageId }, data: { content: text } }, callOptions))
