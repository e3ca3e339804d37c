/**
 * People talking to a bot on the fake platform: a user "sends" a message into a chat (or clicks a card
 * button) and the fake long connection pushes it to the bot, as the platform would, as an
 * `im.message.receive_v1` event (or a `card.action.trigger` callback). With the fake Open Platform
 * recording what the bot sends back, a bot can be tested end to end without Feishu:
 *
 * ```ts
 * const chat = yield* FakeChat.chat({ chatType: "group" })
 * yield* chat.say(alice, "hello", { mentionBot: true })
 * ```
 *
 * The envelope builders (`messageEvent`, `cardActionEvent`) are pure and also serve webhook tests
 * (`toPush` turns an envelope into what `pushEvent` takes).
 */
import { randomUUID } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { defaultApp } from "./fakeApps.js"
import { FAKE_BOT } from "./FakeChannelApis.js"
import { FakeLongConnection } from "./FakeLongConnection.js"
import type { PushV2 } from "./pushEvent.js"

/** Someone in a chat: a user, or another app (`type: "app"`). */
export interface ChatUser {
  readonly openId: string
  readonly unionId?: string | undefined
  readonly userId?: string | undefined
  readonly name?: string | undefined
  readonly type?: "user" | "app" | undefined
}

export interface ChatInput {
  /** Default: a fresh `oc_` id. */
  readonly chatId?: string | undefined
  /** Default `group`. */
  readonly chatType?: "p2p" | "group" | "topic_group" | undefined
  /** The bot mentioned by `mentionBot` (default {@link FAKE_BOT}, what the fake platform says the bot is). */
  readonly bot?: { readonly openId: string; readonly name: string } | undefined
  readonly appId?: string | undefined
  readonly tenantKey?: string | undefined
}

export interface MessageInput {
  readonly from: ChatUser
  /** A text message's text; mentions are prepended as `@_user_N` placeholders. */
  readonly text?: string | undefined
  /** Another message type with its content JSON (instead of `text`). */
  readonly message?: { readonly type: string; readonly content: unknown } | undefined
  /** Mention the bot (first). */
  readonly mentionBot?: boolean | undefined
  readonly mentions?: ReadonlyArray<{ readonly openId: string; readonly name: string }> | undefined
  readonly mentionAll?: boolean | undefined
  readonly threadId?: string | undefined
  readonly rootId?: string | undefined
  /** The message replied to. */
  readonly parentId?: string | undefined
  /** Default: a fresh one. Reuse one to play a platform redelivery under a new event id. */
  readonly messageId?: string | undefined
  /** Default: a fresh one. Reuse one to play a redelivery of the same event. */
  readonly eventId?: string | undefined
  /** Milliseconds; default the `Clock`'s now. */
  readonly createTime?: number | undefined
}

export interface CardClickInput {
  readonly from: ChatUser
  /** The card's message. */
  readonly messageId: string
  /** The `value` the card gave the button. */
  readonly value?: unknown
  readonly tag?: string | undefined
  readonly formValue?: Readonly<Record<string, unknown>> | undefined
  readonly eventId?: string | undefined
}

/** A v2 envelope as the platform sends it. */
export interface Envelope {
  readonly schema: "2.0"
  readonly header: {
    readonly event_id: string
    readonly event_type: string
    readonly create_time: string
    readonly token: string
    readonly app_id: string
    readonly tenant_key: string
  }
  readonly event: Readonly<Record<string, unknown>>
}

/** What a push put on the wire. */
export interface Pushed {
  readonly eventId: string
  /** The message id (`im.message.receive_v1`) or the clicked card's message id. */
  readonly messageId: string
  /** The frame's message id on the long connection (its acks carry it). */
  readonly frameId: string
  readonly envelope: Envelope
}

export interface FakeChat {
  readonly chatId: string
  readonly chatType: "p2p" | "group" | "topic_group"
  /** `from` sends `text` (with the options of {@link MessageInput}); pushed over the long connection. */
  readonly say: (from: ChatUser, text: string, options?: Omit<MessageInput, "from" | "text">) => Effect.Effect<Pushed>
  /** Any message (`messageEvent`), pushed over the long connection. */
  readonly send: (input: MessageInput) => Effect.Effect<Pushed>
  /** `from` clicks a button of the card in `messageId`; pushed as a card callback. */
  readonly click: (input: CardClickInput) => Effect.Effect<Pushed>
}

const freshId = (prefix: string) => `${prefix}${randomUUID().replaceAll("-", "")}`

const idsOf = (user: { readonly openId: string; readonly unionId?: string | undefined; readonly userId?: string | undefined }) => ({
  open_id: user.openId,
  union_id: user.unionId ?? `on_${user.openId.replace(/^ou_/, "")}`,
  user_id: user.userId ?? user.openId.replace(/^ou_/, "u_")
})

const header = (chat: ChatInput, type: string, eventId: string, now: number): Envelope["header"] => ({
  event_id: eventId,
  event_type: type,
  create_time: String(now),
  token: "",
  app_id: chat.appId ?? defaultApp.appId,
  tenant_key: chat.tenantKey ?? "tenant_fake"
})

/** The `im.message.receive_v1` envelope of `input` in `chat` at `now` (ms). */
export const messageEvent = (chat: ChatInput & { readonly chatId: string }, input: MessageInput, now: number): Envelope => {
  const bot = chat.bot ?? { openId: FAKE_BOT.open_id, name: FAKE_BOT.app_name }
  const tenantKey = chat.tenantKey ?? "tenant_fake"
  const mentioned = [...(input.mentionBot === true ? [bot] : []), ...(input.mentions ?? [])]
  const mentions = [
    ...mentioned.map((m, i) => ({ key: `@_user_${i + 1}`, id: idsOf(m), name: m.name, tenant_key: tenantKey })),
    ...(input.mentionAll === true ? [{ key: "@_all", id: { open_id: "", union_id: "", user_id: "" }, name: "所有人", tenant_key: tenantKey }] : [])
  ]
  const content = input.message === undefined
    ? JSON.stringify({ text: [...mentions.map((m) => m.key), input.text ?? ""].join(" ") })
    : JSON.stringify(input.message.content)
  const created = String(input.createTime ?? now)
  return {
    schema: "2.0",
    header: header(chat, "im.message.receive_v1", input.eventId ?? freshId("evt_"), now),
    event: {
      sender: { sender_id: idsOf(input.from), sender_type: input.from.type ?? "user", tenant_key: tenantKey },
      message: {
        message_id: input.messageId ?? freshId("om_"),
        root_id: input.rootId ?? "",
        parent_id: input.parentId ?? "",
        create_time: created,
        update_time: created,
        chat_id: chat.chatId,
        thread_id: input.threadId ?? "",
        chat_type: chat.chatType ?? "group",
        message_type: input.message?.type ?? "text",
        content,
        ...(mentions.length === 0 ? {} : { mentions }),
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Lark/7.30.0"
      }
    }
  }
}

/** The `card.action.trigger` envelope of a click in `chat` at `now` (ms). */
export const cardActionEvent = (chat: ChatInput & { readonly chatId: string }, input: CardClickInput, now: number): Envelope => ({
  schema: "2.0",
  header: header(chat, "card.action.trigger", input.eventId ?? freshId("evt_"), now),
  event: {
    operator: { tenant_key: chat.tenantKey ?? "tenant_fake", ...idsOf(input.from) },
    token: freshId("c-"),
    action: {
      tag: input.tag ?? "button",
      ...(input.value === undefined ? {} : { value: input.value }),
      ...(input.formValue === undefined ? {} : { form_value: input.formValue })
    },
    host: "im_message",
    context: { open_message_id: input.messageId, open_chat_id: chat.chatId }
  }
})

/** An envelope as `pushEvent` (the webhook side of the fake platform) takes it. */
export const toPush = (envelope: Envelope): PushV2 => ({
  version: "v2",
  type: envelope.header.event_type,
  event: envelope.event,
  eventId: envelope.header.event_id,
  appId: envelope.header.app_id,
  tenantKey: envelope.header.tenant_key
})

const messageIdOf = (envelope: Envelope): string => {
  const message = envelope.event["message"] as { readonly message_id?: string } | undefined
  const context = envelope.event["context"] as { readonly open_message_id?: string } | undefined
  return message?.message_id ?? context?.open_message_id ?? ""
}

/** A chat whose messages are pushed over `fake`. */
export const make = (fake: FakeLongConnection.Service, input: ChatInput = {}): FakeChat => {
  const chat = { ...input, chatId: input.chatId ?? freshId("oc_") }
  const push = (build: (now: number) => Envelope, type: "event" | "card") =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const envelope = build(now)
      return Effect.map(fake.push(envelope, { type }), (frameId): Pushed => ({
        eventId: envelope.header.event_id,
        messageId: messageIdOf(envelope),
        frameId,
        envelope
      }))
    })
  const send = (message: MessageInput) => push((now) => messageEvent(chat, message, now), "event")
  return {
    chatId: chat.chatId,
    chatType: chat.chatType ?? "group",
    send,
    say: (from, text, options = {}) => send({ ...options, from, text }),
    click: (click) => push((now) => cardActionEvent(chat, click, now), "card")
  }
}

/** A chat on the `FakeLongConnection` in context. */
export const chat = (input: ChatInput = {}): Effect.Effect<FakeChat, never, FakeLongConnection> =>
  Effect.map(FakeLongConnection, (fake) => make(fake, input))
