/**
 * What the platform takes as a message's `content` for its `msg_type`, for the fake Open Platform's message
 * create, reply, edit and card patch:
 * - `msg_type` is one of the platform's types (spec B5); `content` is a JSON object;
 * - a post is the locale map itself, `{ zh_cn: { title?, content: [[node, ...], ...] } }`, with no outer
 *   `post` wrapper (the wrapper gives 230001, spec B5);
 * - text needs `text`; image and file need the key of an image / file uploaded here; audio, media and sticker
 *   a `file_key`, share_chat a `chat_id`, share_user a `user_id`;
 * - a card JSON 2.0 must pass the card checks of `lark-effect/cards` ({@link checkCard});
 * - text is at most 150 KB, post and interactive 30 KB ({@link contentTooLong}).
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { validate } from "../cards/validate.js"
import { isObject } from "../events/dispatch.js"
import { getFailure, isFailure, jsonResponse } from "../internal/dialect.js"

type Reply = HttpServerResponse.HttpServerResponse

const refuse = (code: number, msg: string): Effect.Effect<never, Reply> => Effect.fail(jsonResponse({ code, msg }, { status: 400 }))

// The platform rejects content that does not fit its msg_type with code 230001 ("invalid request
// parameter" in the IM error table, as we know it; our sources do not show the exact answer), HTTP 400.
export const invalidContent = (detail: string): Effect.Effect<never, Reply> => refuse(230001, `invalid message content: ${detail}`)

const MESSAGE_TYPES = ["text", "post", "interactive", "image", "file", "audio", "media", "share_chat", "share_user", "sticker"] as const

type MessageType = typeof MESSAGE_TYPES[number]

const isMessageType = (msgType: string): msgType is MessageType => (MESSAGE_TYPES as ReadonlyArray<string>).includes(msgType)

// The platform's size limits, written here independently of the library's own constants so that a wrong
// limit in the library shows up in tests. Message sizes: the IM error table's 230025 entry.
const MESSAGE_BYTE_LIMITS: Readonly<Record<string, number>> = { text: 150 * 1024, post: 30 * 1024, interactive: 30 * 1024 }

/** Fails with 230025 when `content` is over the size limit of `msgType` (text, post, interactive). */
const contentTooLong = (msgType: string, content: string): Effect.Effect<void, Reply> => {
  const limit = MESSAGE_BYTE_LIMITS[msgType]
  return limit !== undefined && new TextEncoder().encode(content).length > limit
    ? refuse(230025, "The length of the message content reaches its limit.")
    : Effect.void
}

/**
 * The content of an interactive message: a card JSON 2.0 must pass `Card.validate` (the rules the
 * platform's documents state). The platform answers 230099 with the card error in its message: 200861 for
 * a 1.0 component in a 2.0 card, 200621 ("parse card json err") otherwise. 1.0 cards, templates and card
 * ids pass.
 */
export const checkCard = (content: unknown): Effect.Effect<void, Reply> => {
  if (!isObject(content) || content["schema"] !== "2.0") return Effect.void
  const result = validate(content)
  if (!isFailure(result)) return Effect.void
  const { detail, path, reason } = getFailure(result)
  const code = reason === "UnsupportedTag" ? 200861 : 200621
  return refuse(230099, `Failed to create card content, ext=ErrCode: ${code}; ErrPath: ${path}; ErrMsg: ${detail}; `)
}

/** The uploads a message may name, by key. */
export type Uploads = ReadonlyMap<string, { readonly kind: "image" | "file" }>

/** The key `field` of `content` must name an upload of `kind`. */
const checkUploaded = (uploads: Uploads, content: Record<string, unknown>, field: string, kind: "image" | "file") => {
  const key = content[field]
  if (typeof key !== "string" || key === "") return invalidContent(`${field} is required`)
  const what = kind === "image" ? "an image" : "a file"
  return uploads.get(key)?.kind === kind ? Effect.void : invalidContent(`${field} ${key} was not uploaded as ${what}`)
}

const requireString = (content: Record<string, unknown>, field: string): Effect.Effect<void, Reply> => {
  const value = content[field]
  return typeof value === "string" && value !== "" ? Effect.void : invalidContent(`${field} is required`)
}

/** Why one locale of a post is not `{ title?, content: [[node, ...], ...] }`, or undefined when it is. */
const localeProblem = (locale: string, body: unknown): string | undefined => {
  if (!isObject(body)) return `post locale ${locale} must be an object`
  if (body["title"] !== undefined && typeof body["title"] !== "string") return `${locale}.title must be a string`
  const paragraphs = body["content"]
  return Array.isArray(paragraphs) && paragraphs.every(Array.isArray)
    ? undefined
    : `${locale}.content must be an array of paragraphs (arrays of nodes)`
}

/** A post is its locale map; one wrapped in `{ post: ... }` is refused (spec B5). */
const checkPost = (content: Record<string, unknown>): Effect.Effect<void, Reply> => {
  if ("post" in content) return invalidContent("a post is its locale map, without an outer post wrapper")
  const locales = Object.entries(content)
  if (locales.length === 0) return invalidContent("a post needs at least one locale")
  const problem = locales.map(([locale, body]) => localeProblem(locale, body)).find((p) => p !== undefined)
  return problem === undefined ? Effect.void : invalidContent(problem)
}

/** What each message type must carry. */
const checkFields = (uploads: Uploads, msgType: MessageType, content: Record<string, unknown>): Effect.Effect<void, Reply> => {
  switch (msgType) {
    case "text":
      return typeof content["text"] === "string" ? Effect.void : invalidContent("text is required")
    case "post":
      return checkPost(content)
    case "interactive":
      return checkCard(content)
    case "image":
      return checkUploaded(uploads, content, "image_key", "image")
    case "file":
      return checkUploaded(uploads, content, "file_key", "file")
    case "share_chat":
      return requireString(content, "chat_id")
    case "share_user":
      return requireString(content, "user_id")
    case "audio":
    case "media":
    case "sticker":
      return requireString(content, "file_key")
  }
}

/** `content` is a JSON object within its type's size limit that carries what `msgType`, a known type, needs. */
export const checkContent = (uploads: Uploads, msgType: string, content: string): Effect.Effect<void, Reply> => {
  if (!isMessageType(msgType)) return invalidContent(`unknown msg_type ${msgType}`)
  const parsed = parseObject(content)
  if (parsed === undefined) return invalidContent("content must be a JSON object")
  return Effect.andThen(contentTooLong(msgType, content), checkFields(uploads, msgType, parsed))
}

const parseObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}
