/**
 * Expanding a merge-forward message. The receive event carries only a placeholder; the forwarded messages
 * come from `GET /im/v1/messages/{id}` (`im.v1.message.get`), which lists the forward itself and every
 * message inside it, each naming its container in `upper_message_id` (nested forwards included). This
 * module turns that list into text: one `> sender: text` line per message, nested forwards quoted one
 * level deeper, within a depth and item budget (spec B2: 3 levels, 50 items).
 */
import type { Message as ApiMessage } from "../../schemas/im/v1/models.js"
import { type Flattened, flattenContent } from "./flatten.js"
import { objects, str } from "./json.js"
import type { Message, Resource } from "./Message.js"

export interface MergeForwardOptions {
  readonly maxDepth?: number | undefined
  readonly maxItems?: number | undefined
}

/** The text and attachments of the forward `rootId`, from the items of `im.v1.message.get`. */
export const renderMergeForward = (
  rootId: string,
  items: ReadonlyArray<ApiMessage>,
  options: MergeForwardOptions = {}
): Omit<Flattened, "mentionAll"> => {
  const maxDepth = options.maxDepth ?? 3
  let budget = options.maxItems ?? 50
  const children = new Map<string, Array<ApiMessage>>()
  for (const item of items) {
    const parent = item.upper_message_id
    if (parent !== undefined && parent !== "" && item.message_id !== rootId) {
      children.set(parent, [...(children.get(parent) ?? []), item])
    }
  }
  const lines: Array<string> = ["[merged forward]"]
  const resources: Array<Resource> = []

  const render = (id: string, depth: number): void => {
    const quote = "> ".repeat(depth)
    const inner = children.get(id) ?? []
    for (const [index, item] of inner.entries()) {
      if (budget <= 0) {
        lines.push(`${quote}… (${inner.length - index} more)`)
        return
      }
      budget--
      const who = str(item.sender?.sender_name) ?? str(item.sender?.id) ?? "unknown"
      const type = str(item.msg_type) ?? "unknown"
      const itemId = str(item.message_id) ?? ""
      if (type === "merge_forward") {
        lines.push(`${quote}${who}: [merged forward]`)
        if (depth < maxDepth) render(itemId, depth + 1)
        continue
      }
      const mentions = objects(item.mentions).map((m) => ({ key: str(m.key) ?? "", name: str(m.name) ?? "", isBot: false }))
      const flat = flattenContent(type, str(item.body?.content), mentions, itemId)
      resources.push(...flat.resources)
      const [first = "", ...rest] = flat.text.split("\n")
      lines.push(`${quote}${who}: ${first}`, ...rest.map((line) => `${quote}${line}`))
    }
  }
  render(rootId, 1)
  const text = lines.join("\n")
  return { text, bodyText: text, resources }
}

/** `message` (a merge forward) with its text and resources replaced by the expansion. */
export const expandMergeForward = (
  message: Message,
  items: ReadonlyArray<ApiMessage>,
  options?: MergeForwardOptions
): Message => ({ ...message, ...renderMergeForward(message.messageId, items, options) })
