/**
 * Message content → text. Every `message_type` the platform sends is turned into readable text (mentions
 * as `@name`, media as `[image]`-like markers) plus the attachments it carries. Content that is not the
 * expected JSON, or a type this module does not know, becomes a placeholder: flattening never fails.
 */
import { isObject, type Json, num, str } from "./json.js"
import type { Resource } from "./Message.js"

/** A mention placeholder (`@_user_1`) and how to render it. */
export interface MentionRef {
  readonly key: string
  readonly name: string
  readonly isBot: boolean
}

export interface Flattened {
  readonly text: string
  /** `@all` appears in the content. */
  readonly mentionAll: boolean
  /** `text` without the mentions of the bot. */
  readonly bodyText: string
  readonly resources: ReadonlyArray<Resource>
}

/** Marks where a bot mention was, so that `bodyText` can drop it together with its surrounding spaces. */
const BOT_MARK = "\u0000"

const ALL_KEYS = new Set(["@_all", "all"])

/** Renders mentions; `dropBot` swaps the bot's own mentions for {@link BOT_MARK}. */
const mentionRenderer = (mentions: ReadonlyArray<MentionRef>, dropBot: boolean) => {
  const byKey = new Map(mentions.map((m) => [m.key, m]))
  return (key: string, fallbackName?: string): string => {
    if (ALL_KEYS.has(key)) return "@all"
    const m = byKey.get(key)
    if (m === undefined) return fallbackName === undefined ? key : `@${fallbackName}`
    return dropBot && m.isBot ? BOT_MARK : `@${m.name}`
  }
}

type RenderAt = ReturnType<typeof mentionRenderer>

interface Sink {
  readonly resources: Array<Resource>
  readonly messageId: string
}

const addResource = (sink: Sink, resource: Omit<Resource, "messageId" | "downloadType">): void => {
  sink.resources.push({ ...resource, messageId: sink.messageId, downloadType: resource.kind === "image" ? "image" : "file" })
}

// ---------------------------------------------------------------------------------------------- runs

// Runs of blanks are found by index scans, not regexes: `[ \t]*` before a literal and `\n+$` retry from
// every start inside a run, time quadratic in its length, and the sender chooses the length (100 KB of
// spaces froze the event loop for seconds).

const isBlank = (char: string): boolean => char === " " || char === "\t"
const isNewline = (char: string): boolean => char === "\n"

/** Where the run of `isRun` characters that starts at `from` ends. */
const runEnd = (text: string, from: number, isRun: (char: string) => boolean): number => {
  let end = from
  while (end < text.length && isRun(text[end]!)) end++
  return end
}

/** Where the run of `isRun` characters that ends at `to` starts, not before `floor`. */
const runStart = (text: string, to: number, floor: number, isRun: (char: string) => boolean): number => {
  let start = to
  while (start > floor && isRun(text[start - 1]!)) start--
  return start
}

const trimNewlines = (text: string): string => {
  const start = runEnd(text, 0, isNewline)
  return text.slice(start, runStart(text, text.length, start, isNewline))
}

// ---------------------------------------------------------------------------------------------- post

/** One inline node of a post paragraph. */
const renderPostNode = (node: unknown, at: RenderAt, sink: Sink): string => {
  if (!isObject(node)) return ""
  switch (node.tag) {
    case "text":
    case "md":
      return str(node.text) ?? ""
    case "a": {
      const text = str(node.text) ?? ""
      const href = str(node.href) ?? ""
      return text === "" || text === href ? href : href === "" ? text : `[${text}](${href})`
    }
    case "at":
      return at(str(node.user_id) ?? "", str(node.user_name))
    case "img": {
      const key = str(node.image_key)
      if (key !== undefined) addResource(sink, { kind: "image", key })
      return "[image]"
    }
    case "media": {
      const key = str(node.file_key)
      if (key !== undefined) addResource(sink, { kind: "video", key, coverImageKey: str(node.image_key) })
      return "[video]"
    }
    case "emotion":
      return `:${str(node.emoji_type) ?? "emoji"}:`
    case "code_block":
      return `\n\`\`\`${str(node.language)?.toLowerCase() ?? ""}\n${str(node.text) ?? ""}\n\`\`\`\n`
    case "hr":
      return "\n---\n"
    default:
      return str(node.text) ?? ""
  }
}

/** `{ title, content: [[node, ...], ...] }` → lines: the title, then one line per paragraph. */
const renderPostBody = (body: Json, at: RenderAt, sink: Sink): string => {
  const lines: Array<string> = []
  const title = str(body.title)
  if (title !== undefined && title !== "") lines.push(title)
  const paragraphs = Array.isArray(body.content) ? body.content : Array.isArray(body.elements) ? body.elements : []
  for (const paragraph of paragraphs) {
    const nodes = Array.isArray(paragraph) ? paragraph : [paragraph]
    // Block nodes (code, rules) bring their own line breaks; a paragraph does not start or end with one.
    lines.push(trimNewlines(nodes.map((node) => renderPostNode(node, at, sink)).join("")))
  }
  return lines.join("\n").trim()
}

const LOCALE_PREFERENCE = ["zh_cn", "en_us", "ja_jp"]

/**
 * A received post is `{title, content}`; a sent one (and some forwarded ones) is a locale map
 * `{zh_cn: {title, content}, ...}`, possibly wrapped in `{post: ...}`. Picks zh_cn, en_us, ja_jp, then any.
 */
export const postBody = (content: Json): Json | undefined => {
  if (Array.isArray(content.content)) return content
  const locales = isObject(content.post) ? content.post : content
  const keys = [...LOCALE_PREFERENCE, ...Object.keys(locales)]
  for (const key of keys) {
    const body = locales[key]
    if (isObject(body) && Array.isArray(body.content)) return body
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------- card

const CARD_TEXT_TAGS = new Set(["plain_text", "lark_md", "markdown", "text", "md", "note"])
/** Card fields that hold settings or links, never text to show. */
const CARD_SKIP_KEYS = new Set(["value", "behaviors", "url", "multi_url", "confirm", "config", "style", "icon", "i18n_elements", "i18n_header"])

const NO_CHILDREN: ReadonlyArray<unknown> = []

/** Collects what one card node shows; answers its children still to walk (none for text, images, ...). */
const visitCardNode = (node: Json, at: RenderAt, sink: Sink, out: Array<string>): ReadonlyArray<unknown> => {
  const tag = str(node.tag)
  if (tag === "at") {
    out.push(at(str(node.user_id) ?? "", str(node.user_name)))
    return NO_CHILDREN
  }
  if (tag === "img" || tag === "image") {
    const key = str(node.img_key) ?? str(node.image_key)
    if (key !== undefined) addResource(sink, { kind: "image", key })
    out.push("[image]")
    return NO_CHILDREN
  }
  if (tag === "hr") {
    out.push("---")
    return NO_CHILDREN
  }
  if (tag !== undefined && CARD_TEXT_TAGS.has(tag)) {
    const text = str(node.content) ?? str(node.text)
    if (text !== undefined) {
      if (text !== "") out.push(text)
      return NO_CHILDREN
    }
  }
  return Object.entries(node).flatMap(([key, value]) => (!CARD_SKIP_KEYS.has(key) && typeof value === "object" ? [value] : []))
}

/**
 * Walks a card JSON in document order, collecting the visible text. A loop over a stack of the nodes still
 * to visit rather than recursion: the sender chooses the nesting, and 4,000 levels overflowed the call stack.
 */
const collectCardText = (card: Json, at: RenderAt, sink: Sink, out: Array<string>): void => {
  const pending: Array<unknown> = [card]
  const pushInOrder = (children: ReadonlyArray<unknown>) => {
    // the first child on top, so that it and everything inside it come before its next sibling
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i])
  }
  while (pending.length > 0) {
    const node = pending.pop()
    if (Array.isArray(node)) pushInOrder(node)
    else if (isObject(node)) pushInOrder(visitCardNode(node, at, sink, out))
  }
}

/**
 * An interactive message as received: either the simplified form `{title, elements: [[node, ...]]}` (post
 * nodes), or a card JSON (v1 `header`/`elements`, v2 `body.elements`).
 */
const renderCard = (content: Json, at: RenderAt, sink: Sink): string => {
  if (Array.isArray(content.elements) && content.elements.every(Array.isArray)) return renderPostBody(content, at, sink)
  const out: Array<string> = []
  const title = str(content.title)
  if (title !== undefined && title !== "") out.push(title)
  collectCardText(content, at, sink, out)
  return out.length === 0 ? "[card]" : out.join("\n")
}

// ---------------------------------------------------------------------------------------------- other types

/** A system message: `template` with `{placeholders}` filled from the lists of names beside it. */
const renderSystem = (content: Json): string => {
  const template = str(content.template)
  if (template === undefined) return "[system]"
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = content[name]
    if (Array.isArray(value)) return value.filter((v) => typeof v === "string").join(", ")
    return str(value) ?? whole
  })
}

const labelled = (label: string, detail: string | undefined): string =>
  detail === undefined || detail === "" ? `[${label}]` : `[${label}: ${detail}]`

const renderContent = (type: string, content: Json, at: RenderAt, sink: Sink): string => {
  switch (type) {
    case "text":
      return (str(content.text) ?? "").replace(/@_(?:user_\d+|all)/g, (key) => at(key))
    case "post": {
      const body = postBody(content)
      return body === undefined ? "[post]" : renderPostBody(body, at, sink)
    }
    case "interactive":
      return renderCard(content, at, sink)
    case "image": {
      const key = str(content.image_key)
      if (key !== undefined) addResource(sink, { kind: "image", key })
      return "[image]"
    }
    case "file":
    case "audio":
    case "media":
    case "sticker": {
      const key = str(content.file_key)
      const kind = type === "media" ? "video" : type
      const fileName = str(content.file_name)
      if (key !== undefined) {
        addResource(sink, {
          kind,
          key,
          fileName,
          durationMs: num(content.duration),
          coverImageKey: type === "media" ? str(content.image_key) : undefined
        })
      }
      return labelled(kind, fileName)
    }
    case "share_chat":
      return labelled("shared chat", str(content.chat_id))
    case "share_user":
      return labelled("shared user", str(content.user_id))
    case "system":
      return renderSystem(content)
    case "location":
      return labelled("location", str(content.name))
    case "merge_forward":
      return "[merged forward]"
    case "todo":
    case "vote":
    case "hongbao":
    case "share_calendar_event":
    case "calendar":
    case "general_calendar":
    case "video_chat":
    case "folder":
      return `[${type}]`
    default:
      return `[unsupported message type: ${type}]`
  }
}

/** Drops bot-mention marks with the blanks around them (one space stays between two words). */
const removeBotMarks = (text: string): string => {
  let kept = ""
  // `text` before `done` is in `kept` or dropped
  let done = 0
  for (let mark = text.indexOf(BOT_MARK); mark !== -1; mark = text.indexOf(BOT_MARK, done)) {
    const start = runStart(text, mark, done, isBlank)
    const end = runEnd(text, mark + 1, isBlank)
    kept += text.slice(done, start) + (start < mark && end > mark + 1 ? " " : "")
    done = end
  }
  return (kept + text.slice(done)).trim()
}

const parseContent = (raw: string | undefined): Json | undefined => {
  if (raw === undefined) return undefined
  try {
    const value: unknown = JSON.parse(raw)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Flattens the `content` JSON string of a message of type `type`. Attachments are returned with
 * `messageId`, which their download needs.
 */
export const flattenContent = (
  type: string,
  rawContent: string | undefined,
  mentions: ReadonlyArray<MentionRef>,
  messageId: string
): Flattened => {
  const content = parseContent(rawContent)
  if (content === undefined) return { text: `[${type}]`, bodyText: `[${type}]`, mentionAll: false, resources: [] }
  const sink: Sink = { resources: [], messageId }
  let mentionAll = false
  const render = mentionRenderer(mentions, false)
  const text = renderContent(type, content, (key, name) => {
    if (ALL_KEYS.has(key)) mentionAll = true
    return render(key, name)
  }, sink)
  if (!mentions.some((m) => m.isBot)) return { text, bodyText: text.trim(), mentionAll, resources: sink.resources }
  // The second pass only differs in the bot's mentions; its resources are the same, so they are discarded.
  const withMarks = renderContent(type, content, mentionRenderer(mentions, true), { resources: [], messageId })
  return { text, bodyText: removeBotMarks(withMarks), mentionAll, resources: sink.resources }
}
