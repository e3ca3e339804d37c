/**
 * Where outbound media comes from, and how the platform wants it uploaded. A string is an existing key
 * (`img_`, `file_`, `st_` prefixes: sent as is), a URL (anything with a scheme; only `http(s)` on the
 * allowlist is ever fetched, see `ssrf.ts`), or else a local path. Bytes are uploaded as they are.
 */
export type MediaSource =
  | { readonly _tag: "Key"; readonly key: string }
  | { readonly _tag: "Url"; readonly url: string }
  | { readonly _tag: "Path"; readonly path: string }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }

const KEY_PREFIXES = ["img_", "file_", "st_"]

export const classifyMediaSource = (source: string | Uint8Array): MediaSource => {
  if (typeof source !== "string") return { _tag: "Bytes", bytes: source }
  if (KEY_PREFIXES.some((prefix) => source.startsWith(prefix))) return { _tag: "Key", key: source }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return { _tag: "Url", url: source }
  return { _tag: "Path", path: source }
}

/** The `file_type` of `im.v1.file.create`. */
export type UploadFileType = "opus" | "mp4" | "pdf" | "doc" | "xls" | "ppt" | "stream"

const BY_EXTENSION: Readonly<Record<string, UploadFileType>> = {
  pdf: "pdf",
  doc: "doc",
  docx: "doc",
  xls: "xls",
  xlsx: "xls",
  csv: "xls",
  ppt: "ppt",
  pptx: "ppt",
  opus: "opus",
  mp4: "mp4"
}

/** Audio is uploaded as `opus`, video as `mp4`, other files by extension (unknown: `stream`). */
export const uploadFileType = (kind: "file" | "audio" | "video", fileName: string): UploadFileType => {
  if (kind === "audio") return "opus"
  if (kind === "video") return "mp4"
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase()
  return (ext === undefined ? undefined : BY_EXTENSION[ext]) ?? "stream"
}
