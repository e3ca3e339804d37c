/**
 * Media in, a platform key out: an existing key is used as is, anything else is read into bytes
 * (`readMedia.ts`) and uploaded with `im.v1.image.create` or `im.v1.file.create`. Failures are
 * `ChannelSendError`s: a refused URL is `ssrf_blocked` (nothing sent), a failed upload `upload_failed`
 * (or the platform's limit / permission code).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as ImFile from "../api/im/v1/file.js"
import * as ImImage from "../api/im/v1/image.js"
import { isStream } from "../internal/dialect.js"
import type { LarkConfig } from "../LarkConfig.js"
import { ChannelSendError, fromLarkError } from "./errors.js"
import { classifyMediaSource, uploadFileType } from "./media.js"
import type { MediaInput } from "./OutboundMessage.js"
import {
  collectLimited,
  DEFAULT_MAX_MEDIA_BYTES,
  failWith,
  type MediaBytes,
  type MediaReadOptions,
  readBlob,
  readPath,
  readUrl,
  tooLarge
} from "./readMedia.js"

type Requirements = LarkConfig | HttpClient.HttpClient

/** Media already uploaded (`Key`), or its bytes to upload. */
type Resolved = { readonly _tag: "Key"; readonly key: string } | ({ readonly _tag: "Bytes" } & MediaBytes)

const isByteStream = (input: MediaInput): input is Stream.Stream<Uint8Array, unknown> => isStream(input)

const resolve = (input: MediaInput, options: MediaReadOptions): Effect.Effect<Resolved, ChannelSendError, HttpClient.HttpClient> => {
  const bytes = (read: Effect.Effect<MediaBytes, ChannelSendError, HttpClient.HttpClient>) =>
    Effect.map(read, (media): Resolved => ({ _tag: "Bytes", ...media }))
  if (input instanceof Blob) return bytes(readBlob(input, options))
  if (isByteStream(input)) {
    return bytes(Effect.map(collectLimited(input, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, "upload_failed"), (b) => ({ bytes: b })))
  }
  const source = classifyMediaSource(input)
  switch (source._tag) {
    case "Key":
      return Effect.succeed(source)
    case "Url":
      return bytes(readUrl(source.url, options))
    case "Path":
      return bytes(readPath(source.path, options))
    case "Bytes":
      return Effect.succeed({ _tag: "Bytes", bytes: source.bytes })
  }
}

const missingKey = (what: string) => new ChannelSendError({ code: "upload_failed", detail: `the platform answered no ${what}` })

/** The platform's limit for a message image (node-sdk's `im.v1.image.create` docs: 10 MB, not empty). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024

/** Reads at most what the platform takes as an image, so a larger one fails before it is read whole or sent. */
const imageReadOptions = (options: MediaReadOptions): MediaReadOptions => ({
  ...options,
  maxMediaBytes: Math.min(options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, MAX_IMAGE_BYTES)
})

/**
 * Media the platform would refuse, refused here before the upload, with the reason: empty, or over the limit
 * (bytes given as they are were not read through a limit).
 */
const uploadable = (media: MediaBytes, options: MediaReadOptions): Effect.Effect<MediaBytes, ChannelSendError> => {
  const limit = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES
  if (media.bytes.byteLength === 0) return failWith("upload_failed", "the media is empty: the platform refuses empty uploads")
  return media.bytes.byteLength > limit ? tooLarge("upload_failed", limit) : Effect.succeed(media)
}

/** An image key for `input`, uploading it as a message image when needed. */
export const uploadImage = (input: MediaInput, options: MediaReadOptions = {}): Effect.Effect<string, ChannelSendError, Requirements> =>
  Effect.flatMap(resolve(input, imageReadOptions(options)), (media) =>
    media._tag === "Key"
      ? Effect.succeed(media.key)
      : Effect.flatMap(uploadable(media, imageReadOptions(options)), ({ bytes, fileName }) =>
        ImImage.create({ data: { image_type: "message", image: new File([bytes as BlobPart], fileName ?? "image") } }).pipe(
          Effect.mapError((error) => fromLarkError(error, "upload")),
          Effect.flatMap((answer) => answer.image_key ? Effect.succeed(answer.image_key) : Effect.fail(missingKey("image_key")))
        )))

export interface FileUpload {
  /** `audio` is uploaded as `opus`, `video` as `mp4`, a `file` by its extension. */
  readonly kind: "file" | "audio" | "video"
  /** The name shown in the chat; default: the path's or URL's last segment, else `kind`. */
  readonly fileName?: string | undefined
  /** Audio and video length, in milliseconds. */
  readonly durationMs?: number | undefined
}

/** A file key for `input`, uploading it as a file of the kind's upload type when needed. */
export const uploadFile = (
  input: MediaInput,
  upload: FileUpload,
  options: MediaReadOptions = {}
): Effect.Effect<string, ChannelSendError, Requirements> =>
  Effect.flatMap(resolve(input, options), (media) => {
    if (media._tag === "Key") return Effect.succeed(media.key)
    const fileName = upload.fileName ?? media.fileName ?? upload.kind
    const create = ImFile.create({
      data: {
        file_type: uploadFileType(upload.kind, fileName),
        file_name: fileName,
        ...(upload.durationMs === undefined ? {} : { duration: Math.round(upload.durationMs) }),
        file: new File([media.bytes as BlobPart], fileName)
      }
    }).pipe(
      Effect.mapError((error) => fromLarkError(error, "upload")),
      Effect.flatMap((answer) => answer.file_key ? Effect.succeed(answer.file_key) : Effect.fail(missingKey("file_key")))
    )
    return Effect.andThen(uploadable(media, options), create)
  })
