/**
 * Outbound message builders: each returns the `{ msg_type, content }` pair that the send and reply APIs
 * take (`content` is the JSON string the platform expects). Media builders take keys of already uploaded
 * files; uploading is the sender's job.
 */
import type { CardJson } from "../events/callbacks.js"

export interface OutboundContent {
  readonly msg_type: string
  readonly content: string
}

const make = (msgType: string, content: unknown): OutboundContent => ({ msg_type: msgType, content: JSON.stringify(content) })

/** Someone to `@` at the start of a text message. */
export interface MentionTarget {
  readonly openId: string
  readonly name?: string | undefined
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** `<at user_id="ou_...">name</at>`; `all` mentions everyone. */
export const atTag = (openId: string, name = ""): string => `<at user_id="${escapeXml(openId)}">${escapeXml(name)}</at>`

/** Only real open ids (`ou_...`) and `all` can be mentioned; anything else is left out. */
const isMentionable = (openId: string): boolean => openId === "all" || /^ou_[A-Za-z0-9_-]+$/.test(openId)

/** A text message; `mentions` become leading `<at>` tags. */
export const text = (body: string, mentions: ReadonlyArray<MentionTarget> = []): OutboundContent => {
  const tags = mentions.filter((m) => isMentionable(m.openId)).map((m) => atTag(m.openId, m.name))
  return make("text", { text: tags.length === 0 ? body : `${tags.join(" ")} ${body}` })
}

/** One locale of a post: a title and paragraphs of nodes (`{tag: "text", text}`, `{tag: "md", text}`, ...). */
export interface PostLocale {
  readonly title?: string | undefined
  readonly content: ReadonlyArray<ReadonlyArray<Readonly<Record<string, unknown>>>>
}

/** Posts by locale: `{ zh_cn: {...}, en_us: {...} }`. */
export type PostLocales = Readonly<Record<string, PostLocale>>

/** A rich-text post. The content is the locale map itself: an outer `post` wrapper is refused (230001). */
export const post = (locales: PostLocales): OutboundContent => make("post", locales)

export type MarkdownStyle = "post" | "card"

/**
 * Turns markdown into a post (its locale map), in place of the built-in conversion to one `md` node: e.g.
 * to render tables as text, or to build the nodes oneself. A long text is cut first, so it gets each chunk.
 */
export type MarkdownConverter = (markdown: string) => PostLocales

/**
 * Markdown, rendered by the platform: as a post with one `md` node (the Python SDK's default since 1.1.0),
 * or as a card with a markdown element (better tables and code, spec C9).
 */
export const markdown = (body: string, style: MarkdownStyle = "post", locale = "zh_cn"): OutboundContent =>
  style === "post"
    ? post({ [locale]: { content: [[{ tag: "md", text: body }]] } })
    : card({ schema: "2.0", body: { elements: [{ tag: "markdown", content: body }] } })

/** An interactive message from a card JSON. */
export const card = (json: CardJson): OutboundContent => make("interactive", json)

/** An interactive message from a card built in the card editor (CardKit card id). */
export const cardById = (cardId: string): OutboundContent => make("interactive", { type: "card", data: { card_id: cardId } })

/** An interactive message from a card template and its variables. */
export const cardTemplate = (
  templateId: string,
  variables?: Readonly<Record<string, unknown>>,
  versionName?: string
): OutboundContent =>
  make("interactive", {
    type: "template",
    data: {
      template_id: templateId,
      ...(variables === undefined ? {} : { template_variable: variables }),
      ...(versionName === undefined ? {} : { template_version_name: versionName })
    }
  })

/** An image (`img_...` key); with a caption it becomes a post with an `img` node and the caption below. */
export const image = (imageKey: string, caption?: string, locale = "zh_cn"): OutboundContent =>
  caption === undefined
    ? make("image", { image_key: imageKey })
    : post({ [locale]: { content: [[{ tag: "img", image_key: imageKey }], [{ tag: "text", text: caption }]] } })

/** A file (`file_...` key). Files take no caption. */
export const file = (fileKey: string): OutboundContent => make("file", { file_key: fileKey })

/** A voice message (a file uploaded as `opus`). */
export const audio = (fileKey: string): OutboundContent => make("audio", { file_key: fileKey })

/**
 * A video (a file uploaded as `mp4`), message type `media`; the cover image is optional. With a caption it
 * becomes a post with a `media` node.
 */
export const video = (
  fileKey: string,
  options: { readonly coverImageKey?: string; readonly caption?: string; readonly locale?: string } = {}
): OutboundContent => {
  const keys = { file_key: fileKey, ...(options.coverImageKey === undefined ? {} : { image_key: options.coverImageKey }) }
  return options.caption === undefined
    ? make("media", keys)
    : post({ [options.locale ?? "zh_cn"]: { content: [[{ tag: "media", ...keys }], [{ tag: "text", text: options.caption }]] } })
}

export const shareChat = (chatId: string): OutboundContent => make("share_chat", { chat_id: chatId })

export const shareUser = (openId: string): OutboundContent => make("share_user", { user_id: openId })

export const sticker = (fileKey: string): OutboundContent => make("sticker", { file_key: fileKey })
