/**
 * An {@link OutboundMessage} → the messages that carry it: uploads done, long text and markdown split into
 * chunks (`chunk.ts`), each chunk one `{ msg_type, content }`. A post made from markdown or given as a
 * post also carries its plain text, which the sender resends as a text message when the platform refuses
 * the post as malformed (spec B5, fallback 2).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type { LarkConfig } from "../LarkConfig.js"
import { type ChunkMode, chunkText } from "./chunk.js"
import * as Content from "./content.js"
import { ChannelSendError } from "./errors.js"
import { flattenContent } from "./flatten.js"
import type { OutboundMessage } from "./OutboundMessage.js"
import type { MediaReadOptions } from "./readMedia.js"
import { uploadFile, uploadImage } from "./upload.js"

export interface ComposeOptions extends MediaReadOptions {
  /** Characters per text or markdown message (default 3,500). */
  readonly chunkLimit?: number | undefined
  /** Where long text is cut (default `newline`), see `chunkText`. */
  readonly chunkMode?: ChunkMode | undefined
  /** Converts each markdown chunk sent as a post (not a card) instead of the built-in `md` node. */
  readonly markdownConverter?: Content.MarkdownConverter | undefined
}

/** One message to deliver. */
export interface Piece {
  readonly content: Content.OutboundContent
  /** Sent as a text message instead when the platform refuses this post as malformed. */
  readonly textFallback?: string | undefined
}

const one = (content: Content.OutboundContent): ReadonlyArray<Piece> => [{ content }]

const chunks = (text: string, options: ComposeOptions) => chunkText(text, { limit: options.chunkLimit, mode: options.chunkMode })

/** A converter's throw is the caller's bad input, not a defect of the send. */
const converted = (convert: Content.MarkdownConverter, chunk: string) =>
  Effect.try({
    try: () => Content.post(convert(chunk)),
    catch: (cause) => new ChannelSendError({ code: "format_error", detail: `the markdown converter failed: ${String(cause)}` })
  })

const markdownPieces = (
  markdown: string,
  style: Content.MarkdownStyle,
  options: ComposeOptions
): Effect.Effect<ReadonlyArray<Piece>, ChannelSendError> => {
  const convert = options.markdownConverter
  return Effect.forEach(chunks(markdown, options), (chunk) =>
    Effect.map(
      style === "post" && convert !== undefined ? converted(convert, chunk) : Effect.succeed(Content.markdown(chunk, style)),
      (content): Piece => ({ content, textFallback: style === "post" ? chunk : undefined })
    ))
}

/** The post's text as a reader sees it (title, then its paragraphs), for the text fallback. */
const postText = (content: Content.OutboundContent): string => flattenContent("post", content.content, [], "").text

/** Builds (and uploads the media of) the messages that carry `message`. */
export const compose = (
  message: OutboundMessage,
  options: ComposeOptions = {}
): Effect.Effect<ReadonlyArray<Piece>, ChannelSendError, LarkConfig | HttpClient.HttpClient> => {
  if (typeof message === "string") return markdownPieces(message, "post", options)
  if ("markdown" in message) return markdownPieces(message.markdown, message.style ?? "post", options)
  if ("text" in message) {
    // Mentions lead the first chunk only: the later ones continue the same text.
    return Effect.succeed(chunks(message.text, options).map((chunk, i) => ({
      content: Content.text(chunk, i === 0 ? message.mentions : [])
    })))
  }
  if ("post" in message) {
    const content = Content.post(message.post)
    return Effect.succeed([{ content, textFallback: postText(content) }])
  }
  if ("card" in message) return Effect.succeed(one(Content.card(message.card)))
  if ("cardId" in message) return Effect.succeed(one(Content.cardById(message.cardId)))
  if ("template" in message) {
    const { id, variables, versionName } = message.template
    return Effect.succeed(one(Content.cardTemplate(id, variables, versionName)))
  }
  if ("image" in message) {
    return Effect.map(uploadImage(message.image, options), (key) => one(Content.image(key, message.caption)))
  }
  if ("file" in message) {
    return Effect.map(uploadFile(message.file, { kind: "file", fileName: message.fileName }, options), (key) => one(Content.file(key)))
  }
  if ("audio" in message) {
    const upload = { kind: "audio", fileName: message.fileName, durationMs: message.durationMs } as const
    return Effect.map(uploadFile(message.audio, upload, options), (key) => one(Content.audio(key)))
  }
  if ("video" in message) {
    const upload = { kind: "video", fileName: message.fileName, durationMs: message.durationMs } as const
    return Effect.all({
      fileKey: uploadFile(message.video, upload, options),
      coverImageKey: message.cover === undefined ? Effect.succeed(undefined) : uploadImage(message.cover, options)
    }).pipe(Effect.map(({ coverImageKey, fileKey }) =>
      one(Content.video(fileKey, {
        ...(coverImageKey === undefined ? {} : { coverImageKey }),
        ...(message.caption === undefined ? {} : { caption: message.caption })
      }))
    ))
  }
  if ("shareChat" in message) return Effect.succeed(one(Content.shareChat(message.shareChat)))
  if ("shareUser" in message) return Effect.succeed(one(Content.shareUser(message.shareUser)))
  return Effect.succeed(one(Content.sticker(message.sticker)))
}
