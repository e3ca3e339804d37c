/**
 * What `send` and `reply` take: one of the message kinds of spec B5, as a plain object keyed by its kind
 * (`{ text }`, `{ markdown }`, `{ image }`, ...), or a bare string, which is markdown (as in the Python SDK).
 * Media is given by a {@link MediaInput}; uploading it is the sender's job.
 */
import type * as Stream from "effect/Stream"
import type { CardJson } from "../events/callbacks.js"
import type { MarkdownStyle, MentionTarget, PostLocales } from "./content.js"

/**
 * Where media comes from: an existing key (`img_…`, `file_…`, `st_…`, sent as is), an `http(s)` URL (fetched
 * only when the media allowlist admits it), a local path (read through `@effect/platform`'s `FileSystem`
 * when it is provided), bytes, a `Blob`, or a stream of bytes.
 */
export type MediaInput = string | Uint8Array | Blob | Stream.Stream<Uint8Array, unknown>

export type OutboundMessage =
  | string
  | { readonly text: string; readonly mentions?: ReadonlyArray<MentionTarget> | undefined }
  | { readonly markdown: string; readonly style?: MarkdownStyle | undefined }
  | { readonly post: PostLocales }
  | { readonly card: CardJson }
  | { readonly cardId: string }
  | {
    readonly template: {
      readonly id: string
      readonly variables?: Readonly<Record<string, unknown>> | undefined
      readonly versionName?: string | undefined
    }
  }
  | { readonly image: MediaInput; readonly caption?: string | undefined }
  | { readonly file: MediaInput; readonly fileName?: string | undefined }
  | { readonly audio: MediaInput; readonly fileName?: string | undefined; readonly durationMs?: number | undefined }
  | {
    readonly video: MediaInput
    readonly fileName?: string | undefined
    readonly durationMs?: number | undefined
    readonly cover?: MediaInput | undefined
    readonly caption?: string | undefined
  }
  | { readonly shareChat: string }
  | { readonly shareUser: string }
  | { readonly sticker: string }
