/**
 * The platform APIs a bot's outbound side uses besides sending, for the fake Open Platform: message edit
 * (update) and card patch, recall, reactions, message resource downloads, chat info, and the CardKit
 * streaming-card calls (card create, element content, settings). `FakeOpenPlatform` serves these routes
 * behind its token check and exposes the records as its `channel` member.
 *
 * Behaviour worth testing against:
 * - editing, patching, reacting or replying to a recalled message answers 230011 (the message was withdrawn);
 * - CardKit writes must carry a `sequence` larger than the card's last one, and element content can be
 *   streamed only while the card is in streaming mode (the codes below are the ones we believe the
 *   platform uses; our sources do not show the exact answers);
 * - an element's text (card create or element content) must have 1 to 30,000 characters: over the limit
 *   answers 230099 with card error 11310 in its message, empty answers a field violation;
 * - a CardKit card (create, and the whole-card update `PUT /cardkit/v1/cards/:card_id`) is checked like
 *   a card JSON 2.0 in a message ({@link checkCard}); an update also needs a growing `sequence`;
 * - an edit (`PUT`) is for text and post messages only (230001 otherwise), a patch (`PATCH`) for cards; the
 *   content of either is checked as a new message's (`messageContent.ts`: shape, size, card checks);
 * - a message resource is what the test seeded with `addResource`, or any file the bot uploaded;
 * - reactions are the bot's own (`POST .../reactions`, operator the calling app) or seeded users'
 *   (`addUserReaction`); a reaction can be deleted only by its operator (231002 otherwise, the code we
 *   believe the platform uses); the list (`GET .../reactions`) filters by `reaction_type`, pages by
 *   `page_size` (1 to 50, default 20) and `page_token`, and names operators by open id;
 * - `GET /open-apis/bot/v3/info` answers the bot's identity ({@link FAKE_BOT} unless `setBot` changed it)
 *   flat, as the platform does: `{ code, msg, bot }`, no `data`.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { isRecord } from "../internal/dialect.js"
import type { RecordedBody, RecordedCall } from "./FakeOpenPlatform.js"
import { checkCard, checkContent, invalidContent } from "./messageContent.js"
import type { AuthedRoute } from "./routeTokens.js"

type Reply = HttpServerResponse.HttpServerResponse

export declare namespace FakeChannelApis {
  /** A message edited with `PUT` (text / post) or a card patched with `PATCH`. */
  interface Edit {
    readonly messageId: string
    readonly kind: "update" | "patch"
    readonly msgType: string | undefined
    readonly content: string
  }

  interface Reaction {
    readonly reactionId: string
    readonly messageId: string
    readonly emojiType: string
    /** `app` for a reaction the bot added (`operatorId` its app id), `user` for a seeded one (an open id). */
    readonly operatorType: "app" | "user"
    readonly operatorId: string
    readonly removed: boolean
  }

  /** A CardKit card entity and everything written to it. */
  interface Card {
    readonly cardId: string
    /** The card JSON as created. */
    readonly json: unknown
    readonly streaming: boolean
    /** Current content by element id (markdown and text elements). */
    readonly elements: Readonly<Record<string, string>>
    readonly contentUpdates: ReadonlyArray<{ readonly elementId: string; readonly content: string; readonly sequence: number }>
    readonly settings: ReadonlyArray<{ readonly settings: unknown; readonly sequence: number }>
    /** Whole-card updates (`cardkit.v1.card.update`), in order. */
    readonly cardUpdates: ReadonlyArray<{ readonly card: unknown; readonly sequence: number }>
    readonly lastSequence: number
  }

  interface Service {
    readonly edits: Effect.Effect<ReadonlyArray<Edit>>
    /** Ids of recalled messages, in order. */
    readonly recalls: Effect.Effect<ReadonlyArray<string>>
    readonly reactions: Effect.Effect<ReadonlyArray<Reaction>>
    readonly cards: Effect.Effect<ReadonlyArray<Card>>
    /** Seeds a user's reaction to a message; answers its reaction id. */
    readonly addUserReaction: (messageId: string, emojiType: string, openId: string) => Effect.Effect<string>
    /** Seeds an attachment of a (user's) message for `GET /im/v1/messages/:id/resources/:key`. */
    readonly addResource: (messageId: string, key: string, file: StoredFile) => Effect.Effect<void>
    /** Sets what `GET /im/v1/chats/:chat_id` answers for a chat (fields as the platform names them). */
    readonly setChat: (chatId: string, info: Readonly<Record<string, unknown>>) => Effect.Effect<void>
    /** Sets the `bot` object `GET /bot/v3/info` answers (fields as the platform names them). */
    readonly setBot: (bot: Readonly<Record<string, unknown>>) => Effect.Effect<void>
  }
}

/** The bot the fake platform answers for `bot/v3/info` by default. */
export const FAKE_BOT = {
  activate_status: 2,
  app_name: "Fake Bot",
  avatar_url: "https://fake.feishu.invalid/avatar/fake_bot.png",
  ip_white_list: [],
  open_id: "ou_fake_bot"
} as const

/** A stored file, shaped like the fake platform's uploads. */
export interface StoredFile {
  readonly kind: "image" | "file"
  readonly fileName: string
  readonly contentType: string
  readonly bytes: Uint8Array
}

interface Data {
  readonly edits: ReadonlyArray<FakeChannelApis.Edit>
  readonly recalled: ReadonlyArray<string>
  readonly reactions: ReadonlyArray<FakeChannelApis.Reaction>
  readonly cards: ReadonlyMap<string, FakeChannelApis.Card>
  /** By `messageId/key`. */
  readonly resources: ReadonlyMap<string, StoredFile>
  readonly chats: ReadonlyMap<string, Readonly<Record<string, unknown>>>
  readonly bot: Readonly<Record<string, unknown>>
  readonly counter: number
}

export interface State {
  readonly data: Ref.Ref<Data>
}

/** What the routes need of the platform's state: their own, and the bot's uploads. */
export interface Host {
  readonly channel: State
  readonly blobs: Ref.Ref<ReadonlyMap<string, StoredFile>>
}

export interface RouteInput {
  readonly state: Host
  readonly call: RecordedCall
  readonly params: Record<string, string>
}

/** Who called: the app of the bearer token. */
export interface Caller {
  readonly appId: string
}

export interface Route {
  readonly route: AuthedRoute
  readonly handle: (input: RouteInput, caller: Caller) => Effect.Effect<Reply, Reply>
}

export const makeState: Effect.Effect<State> = Effect.map(
  Ref.make<Data>({ edits: [], recalled: [], reactions: [], cards: new Map(), resources: new Map(), chats: new Map(), bot: FAKE_BOT, counter: 1 }),
  (data) => ({ data })
)

/** Forgets the recorded edits, recalls and reactions (cards, resources, chats and the bot stay), for `reset`. */
export const forgetRecords = (state: State): Effect.Effect<void> =>
  Ref.update(state.data, (d) => ({ ...d, edits: [], recalled: [], reactions: [] }))

export const service = (state: State): FakeChannelApis.Service => {
  const read = <A>(f: (data: Data) => A) => Effect.map(Ref.get(state.data), f)
  return {
    edits: read((d) => d.edits),
    recalls: read((d) => d.recalled),
    reactions: read((d) => d.reactions),
    addUserReaction: (messageId, emojiType, openId) =>
      Effect.flatMap(nextId(state, "rx_fake"), (reactionId) => {
        const reaction: FakeChannelApis.Reaction = { reactionId, messageId, emojiType, operatorType: "user", operatorId: openId, removed: false }
        return Effect.as(Ref.update(state.data, (d) => ({ ...d, reactions: [...d.reactions, reaction] })), reactionId)
      }),
    cards: read((d) => [...d.cards.values()]),
    addResource: (messageId, key, file) =>
      Ref.update(state.data, (d) => ({ ...d, resources: new Map(d.resources).set(`${messageId}/${key}`, file) })),
    setChat: (chatId, info) => Ref.update(state.data, (d) => ({ ...d, chats: new Map(d.chats).set(chatId, info) })),
    setBot: (bot) => Ref.update(state.data, (d) => ({ ...d, bot }))
  }
}

// ---------------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------------

// what `unsafeJson` does (Effect 4: `jsonUnsafe`), spelled the same on both
const json = (status: number, body: unknown): Reply =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })
const ok = (data: unknown): Reply => json(200, { code: 0, msg: "success", data })
const refuse = (code: number, msg: string, status = 400): Effect.Effect<never, Reply> => Effect.fail(json(status, { code, msg }))
const fieldViolation = (field: string, description: string) =>
  Effect.fail(json(400, { code: 99992402, msg: "field validation failed", error: { field_violations: [{ field, description }] } }))

const withdrawn = refuse(230011, "The message was withdrawn.")

const ELEMENT_CHARACTER_LIMIT = 30_000

/**
 * An element's text must have 1 to 30,000 characters (code points). Over the limit the platform answers
 * 230099 with the card error 11310 in its message (as node-sdk and the platform's answers seen in the wild
 * show); an empty text is refused as a field violation of `field`.
 */
const checkElementText = (field: string, content: string): Effect.Effect<void, Reply> => {
  if (content === "") return fieldViolation(field, "element content must not be empty")
  let characters = 0
  for (const _ of content) characters++
  return characters > ELEMENT_CHARACTER_LIMIT
    ? refuse(230099, "Failed to create card content, ext=ErrCode: 11310; ErrMsg: element exceeds the limit; ")
    : Effect.void
}

const cardNotFound = refuse(300301, "card not found")
// The CardKit codes for an out-of-order sequence and for streaming outside streaming mode, as far as we know them.
const sequenceOutOfOrder = refuse(300317, "sequence number is not greater than the last one")
const notStreaming = refuse(300309, "the card is not in streaming mode")

const bodyRecord = (body: RecordedBody): Record<string, unknown> =>
  body._tag === "Json" && isRecord(body.value) ? body.value : {}

const stringField = (body: Record<string, unknown>, field: string): Effect.Effect<string, Reply> => {
  const value = body[field]
  return typeof value === "string" && value !== "" ? Effect.succeed(value) : fieldViolation(field, `${field} is required`)
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A fresh id with `prefix`. */
const nextId = (state: State, prefix: string) =>
  Ref.modify(state.data, (d) => [`${prefix}${String(d.counter).padStart(6, "0")}`, { ...d, counter: d.counter + 1 }] as const)

/** Fails with 230011 when `messageId` was recalled: edits, reactions and replies to it are refused. */
export const notRecalled = (state: State, messageId: string): Effect.Effect<void, Reply> =>
  Effect.flatMap(Ref.get(state.data), (d) => (d.recalled.includes(messageId) ? withdrawn : Effect.void))

// ---------------------------------------------------------------------------------------------------
// IM: edit, patch, recall, reactions, resources, chats
// ---------------------------------------------------------------------------------------------------

// Spec B5: a message edit (`PUT`) is for text and post only; a card is patched.
const EDITABLE_TYPES: ReadonlyArray<string> = ["text", "post"]

/** `PUT` edits a text or post, `PATCH` a card; the content is checked as a new message's would be. */
const edit = (kind: FakeChannelApis.Edit["kind"]) => ({ call, params, state }: RouteInput) =>
  Effect.gen(function*() {
    const messageId = params["message_id"]!
    const body = bodyRecord(call.body)
    const content = yield* stringField(body, "content")
    const msgType = kind === "update" ? yield* stringField(body, "msg_type") : undefined
    if (msgType !== undefined && !EDITABLE_TYPES.includes(msgType)) {
      return yield* invalidContent(`a ${msgType} message cannot be edited: only text and post can (a card is patched)`)
    }
    yield* checkContent(yield* Ref.get(state.blobs), msgType ?? "interactive", content)
    yield* notRecalled(state.channel, messageId)
    yield* Ref.update(state.channel.data, (d) => ({ ...d, edits: [...d.edits, { messageId, kind, msgType, content }] }))
    return ok(kind === "update" ? { message_id: messageId, msg_type: msgType } : {})
  })

const recall = ({ params, state }: RouteInput) =>
  Effect.gen(function*() {
    const messageId = params["message_id"]!
    yield* notRecalled(state.channel, messageId)
    yield* Ref.update(state.channel.data, (d) => ({ ...d, recalled: [...d.recalled, messageId] }))
    return ok({})
  })

const addReaction = ({ call, params, state }: RouteInput, caller: Caller) =>
  Effect.gen(function*() {
    const messageId = params["message_id"]!
    const type = bodyRecord(call.body)["reaction_type"]
    const emojiType = isRecord(type) ? yield* stringField(type, "emoji_type") : yield* fieldViolation("reaction_type", "reaction_type is required")
    yield* notRecalled(state.channel, messageId)
    const reactionId = yield* nextId(state.channel, "rx_fake")
    const reaction: FakeChannelApis.Reaction = { reactionId, messageId, emojiType, operatorType: "app", operatorId: caller.appId, removed: false }
    yield* Ref.update(state.channel.data, (d) => ({ ...d, reactions: [...d.reactions, reaction] }))
    return ok(reactionAnswer(reaction))
  })

/** A reaction as the platform shows it. */
const reactionAnswer = (r: FakeChannelApis.Reaction) => ({
  reaction_id: r.reactionId,
  operator: { operator_id: r.operatorId, operator_type: r.operatorType },
  action_time: "1700000000000",
  reaction_type: { emoji_type: r.emojiType }
})

const removeReaction = ({ params, state }: RouteInput, caller: Caller) =>
  Effect.gen(function*() {
    const { message_id: messageId, reaction_id: reactionId } = params
    const data = yield* Ref.get(state.channel.data)
    const found = data.reactions.find((r) => r.reactionId === reactionId && r.messageId === messageId && !r.removed)
    if (found === undefined) return yield* refuse(231003, "The reaction does not exist.")
    if (found.operatorType !== "app" || found.operatorId !== caller.appId) {
      return yield* refuse(231002, "The operator has no permission to delete this reaction.")
    }
    yield* Ref.update(state.channel.data, (d) => ({
      ...d,
      reactions: d.reactions.map((r) => (r === found ? { ...r, removed: true } : r))
    }))
    return ok({ reaction_id: reactionId, reaction_type: { emoji_type: found.emojiType } })
  })

const single = (call: RecordedCall, name: string): string | undefined => call.query[name]?.[0]

const listReactions = ({ call, params, state }: RouteInput) =>
  Effect.gen(function*() {
    const messageId = params["message_id"]!
    const idType = single(call, "user_id_type")
    if (idType !== undefined && idType !== "open_id" && idType !== "union_id" && idType !== "user_id") {
      return yield* fieldViolation("user_id_type", "user_id_type must be open_id, union_id or user_id")
    }
    if (idType !== undefined && idType !== "open_id") return yield* fieldViolation("user_id_type", "the fake names users by open_id only")
    const size = Number(single(call, "page_size") ?? "20")
    if (!Number.isInteger(size) || size < 1 || size > 50) return yield* fieldViolation("page_size", "page_size must be 1 to 50")
    const token = single(call, "page_token")
    const start = token === undefined ? 0 : Number(/^rxpage_(\d+)$/.exec(token)?.[1] ?? NaN)
    if (!Number.isInteger(start)) return yield* fieldViolation("page_token", "page_token is invalid")
    yield* notRecalled(state.channel, messageId)
    const emojiType = single(call, "reaction_type")
    const matching = (yield* Ref.get(state.channel.data)).reactions.filter((r) =>
      r.messageId === messageId && !r.removed && (emojiType === undefined || r.emojiType === emojiType))
    const page = matching.slice(start, start + size)
    const more = start + size < matching.length
    return ok({ items: page.map(reactionAnswer), has_more: more, ...(more ? { page_token: `rxpage_${start + size}` } : {}) })
  })

const downloadResource = ({ call, params, state }: RouteInput) =>
  Effect.gen(function*() {
    const type = call.query["type"]?.[0]
    if (type !== "image" && type !== "file") return yield* fieldViolation("type", "type must be image or file")
    const key = params["file_key"]!
    const seeded = (yield* Ref.get(state.channel.data)).resources.get(`${params["message_id"]}/${key}`)
    const file = seeded ?? (yield* Ref.get(state.blobs)).get(key)
    if (file === undefined) return yield* refuse(234003, "File not in msg.")
    return HttpServerResponse.uint8Array(file.bytes, {
      contentType: file.contentType || "application/octet-stream",
      headers: { "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}` }
    })
  })

const getChat = ({ params, state }: RouteInput) =>
  Effect.map(Ref.get(state.channel.data), (d) => {
    const chatId = params["chat_id"]!
    return ok(d.chats.get(chatId) ?? { name: `Fake chat ${chatId}`, chat_mode: "group", chat_type: "private", external: false, user_count: "2", bot_count: "1" })
  })

const botInfo = ({ state }: RouteInput) =>
  Effect.map(Ref.get(state.channel.data), (d) => json(200, { code: 0, msg: "ok", bot: d.bot }))

// ---------------------------------------------------------------------------------------------------
// CardKit
// ---------------------------------------------------------------------------------------------------

/** The top-level elements of a card JSON 2.0 body. */
const elementsOf = (card: unknown): ReadonlyArray<Record<string, unknown>> => {
  const body = isRecord(card) && isRecord(card["body"]) ? card["body"] : {}
  return Array.isArray(body["elements"]) ? body["elements"].filter(isRecord) : []
}

/** Element ids and contents of the markdown / text elements of a card JSON 2.0 body. */
const elementContents = (card: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const element of elementsOf(card)) {
    if (typeof element["element_id"] === "string") {
      out[element["element_id"]] = typeof element["content"] === "string" ? element["content"] : ""
    }
  }
  return out
}

const streamingModeOf = (card: unknown): boolean | undefined =>
  isRecord(card) && isRecord(card["config"]) && typeof card["config"]["streaming_mode"] === "boolean"
    ? card["config"]["streaming_mode"]
    : undefined

/** The card of a CardKit `{ type: "card_json", data }` (create's body, update's `card`), checked. */
const cardJsonOf = (body: Record<string, unknown>) =>
  Effect.gen(function*() {
    if ((yield* stringField(body, "type")) !== "card_json") return yield* fieldViolation("type", "type must be card_json")
    const parsed = parseJson(yield* stringField(body, "data"))
    if (!isRecord(parsed)) return yield* fieldViolation("data", "data must be a card JSON object")
    for (const element of elementsOf(parsed)) {
      if (typeof element["content"] === "string") yield* checkElementText("data", element["content"])
    }
    yield* checkCard(parsed)
    return parsed
  })

const createCard = ({ call, state }: RouteInput) =>
  Effect.gen(function*() {
    const parsed = yield* cardJsonOf(bodyRecord(call.body))
    const cardId = yield* nextId(state.channel, "card_fake")
    const card: FakeChannelApis.Card = {
      cardId,
      json: parsed,
      streaming: streamingModeOf(parsed) ?? false,
      elements: elementContents(parsed),
      contentUpdates: [],
      cardUpdates: [],
      settings: [],
      lastSequence: 0
    }
    yield* Ref.update(state.channel.data, (d) => ({ ...d, cards: new Map(d.cards).set(cardId, card) }))
    return ok({ card_id: cardId })
  })

/** Checks the card exists and the write's sequence is new, then stores `change(card, sequence)`. */
const writeCard = (
  { call, params, state }: RouteInput,
  change: (card: FakeChannelApis.Card, body: Record<string, unknown>, sequence: number) => Effect.Effect<FakeChannelApis.Card, Reply>
) =>
  Effect.gen(function*() {
    const body = bodyRecord(call.body)
    const sequence = body["sequence"]
    if (typeof sequence !== "number" || !Number.isInteger(sequence)) return yield* fieldViolation("sequence", "sequence must be an integer")
    const card = (yield* Ref.get(state.channel.data)).cards.get(params["card_id"]!)
    if (card === undefined) return yield* cardNotFound
    if (sequence <= card.lastSequence) return yield* sequenceOutOfOrder
    const changed = yield* change(card, body, sequence)
    yield* Ref.update(state.channel.data, (d) => ({
      ...d,
      cards: new Map(d.cards).set(card.cardId, { ...changed, lastSequence: sequence })
    }))
    return ok({})
  })

const elementContent = (input: RouteInput) =>
  writeCard(input, (card, body, sequence) =>
    Effect.gen(function*() {
      const elementId = input.params["element_id"]!
      const content = typeof body["content"] === "string" ? body["content"] : yield* fieldViolation("content", "content is required")
      if (!(elementId in card.elements)) return yield* refuse(300302, `element ${elementId} not found`)
      if (!card.streaming) return yield* notStreaming
      yield* checkElementText("content", content)
      return {
        ...card,
        elements: { ...card.elements, [elementId]: content },
        contentUpdates: [...card.contentUpdates, { elementId, content, sequence }]
      }
    }))

const updateCard = (input: RouteInput) =>
  writeCard(input, (card, body, sequence) =>
    Effect.gen(function*() {
      const parsed = yield* cardJsonOf(isRecord(body["card"]) ? body["card"] : {})
      return {
        ...card,
        json: parsed,
        streaming: streamingModeOf(parsed) ?? card.streaming,
        elements: elementContents(parsed),
        cardUpdates: [...card.cardUpdates, { card: parsed, sequence }]
      }
    }))

const cardSettings = (input: RouteInput) =>
  writeCard(input, (card, body, sequence) =>
    Effect.gen(function*() {
      const settings = parseJson(yield* stringField(body, "settings"))
      if (!isRecord(settings)) return yield* fieldViolation("settings", "settings must be a JSON object")
      return { ...card, streaming: streamingModeOf(settings) ?? card.streaming, settings: [...card.settings, { settings, sequence }] }
    }))

/** Served behind the bearer-token check, each for the token kinds its row of `routeTokens.ts` accepts. */
export const routes: ReadonlyArray<Route> = [
  { route: "PUT /open-apis/im/v1/messages/:message_id", handle: edit("update") },
  { route: "PATCH /open-apis/im/v1/messages/:message_id", handle: edit("patch") },
  { route: "DELETE /open-apis/im/v1/messages/:message_id", handle: recall },
  { route: "POST /open-apis/im/v1/messages/:message_id/reactions", handle: addReaction },
  { route: "GET /open-apis/im/v1/messages/:message_id/reactions", handle: listReactions },
  { route: "DELETE /open-apis/im/v1/messages/:message_id/reactions/:reaction_id", handle: removeReaction },
  { route: "GET /open-apis/im/v1/messages/:message_id/resources/:file_key", handle: downloadResource },
  { route: "GET /open-apis/im/v1/chats/:chat_id", handle: getChat },
  { route: "GET /open-apis/bot/v3/info", handle: botInfo },
  { route: "POST /open-apis/cardkit/v1/cards", handle: createCard },
  { route: "PUT /open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content", handle: elementContent },
  { route: "PUT /open-apis/cardkit/v1/cards/:card_id", handle: updateCard },
  { route: "PATCH /open-apis/cardkit/v1/cards/:card_id/settings", handle: cardSettings }
]
