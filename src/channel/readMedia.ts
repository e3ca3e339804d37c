/**
 * Reading outbound media into bytes, whatever the caller gave: a `Blob`, a byte stream, a local path or an
 * allowlisted `http(s)` URL. Every reader stops at a size limit, so a huge or endless source fails instead
 * of filling memory.
 *
 * A URL is checked by `checkMediaUrl` before any request and fetched hop by hop through `MediaFetch`
 * (`mediaFetch.ts`: by default on a socket of its own that refuses internal addresses as it connects); each
 * redirect is followed only to the same host, and checked again. A local
 * path needs `@effect/platform`'s `FileSystem` service (e.g. `NodeFileSystem.layer`); without it the send
 * fails with `format_error`: the channel does not pick a file system for the program. With
 * `allowedFileDirs` set, a path is read only when its real path (symlinks and `..` resolved) lies in one
 * of those directories (their real paths too); any other fails with `path_not_allowed`, nothing read.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ChannelSendError, type ChannelSendErrorCode } from "./errors.js"
import { MediaFetch } from "./mediaFetch.js"
import { admitsAddress, checkMediaUrl } from "./ssrf.js"
import { concatBytes } from "../internal/bytes.js"
import { decodeDuration, type DurationInput, fromOutcome, getFailure, getSuccess, isFailure, timeoutFail } from "../internal/dialect.js"

/** How media given as a URL or a path is read. */
export interface MediaReadOptions {
  /** Hosts whose URLs may be fetched (`ssrf.ts`); empty (the default) refuses every URL. */
  readonly mediaAllowlist?: ReadonlyArray<string> | undefined
  /** The largest media accepted, in bytes (default 30 MiB, the platform's file upload limit). */
  readonly maxMediaBytes?: number | undefined
  /** Redirects followed for a URL, each to the same host only (default 3). */
  readonly maxRedirects?: number | undefined
  /** How long fetching a media URL may take, redirects included (default 30 seconds). */
  readonly mediaTimeout?: DurationInput | undefined
  /**
   * Directories local paths may be read from (and below). Unset: any path the `FileSystem` can read; `[]`:
   * none.
   */
  readonly allowedFileDirs?: ReadonlyArray<string> | undefined
}

export const DEFAULT_MAX_MEDIA_BYTES = 30 * 1024 * 1024

export interface MediaBytes {
  readonly bytes: Uint8Array
  /** From the path or the URL, when it has one. */
  readonly fileName?: string | undefined
}

export const failWith = (code: ChannelSendErrorCode, detail: string) => Effect.fail(new ChannelSendError({ code, detail }))

export const tooLarge = (code: ChannelSendErrorCode, limit: number) => failWith(code, `the media is larger than ${limit} bytes`)


/** Collects a byte stream, failing with `code` as soon as it passes `limit` bytes or fails itself. */
export const collectLimited = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  limit: number,
  code: ChannelSendErrorCode
): Effect.Effect<Uint8Array, ChannelSendError> =>
  Effect.suspend(() => {
    const parts: Array<Uint8Array> = []
    let size = 0
    return stream.pipe(
      Stream.mapError((cause) => new ChannelSendError({ code, detail: `reading the media failed: ${String(cause)}` })),
      Stream.runForEach((part) => {
        size += part.length
        if (size > limit) return tooLarge(code, limit)
        parts.push(part)
        return Effect.void
      }),
      Effect.map(() => concatBytes(parts))
    )
  })

const decodeURIComponentSafe = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

const lastSegment = (path: string): string | undefined => {
  const name = path.split(/[\\/]/).pop()
  return name === undefined || name === "" ? undefined : name
}

const isRedirect = (status: number) => status >= 300 && status < 400

const resolveLocation = (location: string, base: URL): URL | undefined => {
  try {
    return new URL(location, base)
  } catch {
    return undefined
  }
}

/** GETs an admitted URL, following same-host redirects only; the request is aborted when this ends. */
const fetchUrl = (
  url: URL,
  allowlist: ReadonlyArray<string>,
  limit: number,
  redirectsLeft: number
): Effect.Effect<MediaBytes, ChannelSendError> =>
  Effect.gen(function*() {
    const get = yield* MediaFetch
    const response = yield* get(url, admitsAddress(allowlist))
    if (isRedirect(response.status)) {
      const location = response.headers["location"]
      if (location === undefined) return yield* failWith("download_failed", `redirect without a location from ${url.host}`)
      if (redirectsLeft <= 0) return yield* failWith("download_failed", `too many redirects from ${url.host}`)
      const target = resolveLocation(location, url)
      if (target === undefined) return yield* failWith("download_failed", `redirect to an invalid location from ${url.host}`)
      if (target.host !== url.host) return yield* failWith("ssrf_blocked", `redirect from ${url.host} to another host (${target.host})`)
      const admitted = yield* fromOutcome(checkMediaUrl(target.href, allowlist))
      return yield* fetchUrl(admitted, allowlist, limit, redirectsLeft - 1)
    }
    if (response.status < 200 || response.status >= 300) {
      return yield* failWith("download_failed", `fetching ${url.host} answered HTTP ${response.status}`)
    }
    const declared = Number(response.headers["content-length"])
    if (Number.isFinite(declared) && declared > limit) return yield* tooLarge("download_failed", limit)
    const bytes = yield* collectLimited(response.stream, limit, "download_failed")
    const name = lastSegment(url.pathname)
    return { bytes, fileName: name === undefined ? undefined : decodeURIComponentSafe(name) }
  }).pipe(Effect.scoped)

/** Fetches a media URL if the allowlist admits it; a refused URL fails before any request is made. */
export const readUrl = (raw: string, options: MediaReadOptions): Effect.Effect<MediaBytes, ChannelSendError> => {
  const allowlist = options.mediaAllowlist ?? []
  const checked = checkMediaUrl(raw, allowlist)
  if (isFailure(checked)) return Effect.fail(getFailure(checked))
  const url = getSuccess(checked)
  const timeout = options.mediaTimeout ?? "30 seconds"
  return fetchUrl(url, allowlist, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, options.maxRedirects ?? 3).pipe(
    timeoutFail({
      duration: timeout,
      onTimeout: () => new ChannelSendError({ code: "download_failed", detail: `fetching ${url.host} took longer than ${Duration.format(decodeDuration(timeout))}` })
    })
  )
}

/** `file` is `dir` or lies below it (both real, absolute paths). */
const isWithin = (file: string, dir: string): boolean => {
  const base = dir.replace(/[\\/]+$/, "")
  return file === base || file.startsWith(`${base}/`) || file.startsWith(`${base}\\`)
}

/**
 * The real path to read for `path`: itself when no directories are set, else its real path when that lies
 * in one of `dirs`' real paths (a directory that does not exist admits nothing).
 */
const admittedPath = (
  fs: FileSystem.FileSystem,
  path: string,
  dirs: ReadonlyArray<string> | undefined
): Effect.Effect<string, ChannelSendError> => {
  if (dirs === undefined) return Effect.succeed(path)
  const refused = failWith("path_not_allowed", `the local path ${path} is not in an allowed directory (allowedFileDirs)`)
  return fs.realPath(path).pipe(
    Effect.mapError(() => new ChannelSendError({ code: "upload_failed", detail: `cannot read the local path ${path}` })),
    Effect.flatMap((real) =>
      Effect.flatMap(
        Effect.forEach(dirs, (dir) => Effect.option(fs.realPath(dir))),
        (reals) => (reals.some((dir) => Option.isSome(dir) && isWithin(real, dir.value)) ? Effect.succeed(real) : refused)
      ))
  )
}

/** Reads a local file through the `FileSystem` service, when the program provides one (see the module comment). */
export const readPath = (path: string, options: MediaReadOptions): Effect.Effect<MediaBytes, ChannelSendError> =>
  Effect.flatMap(Effect.serviceOption(FileSystem.FileSystem), (fs) =>
    Option.match(fs, {
      onNone: () => failWith("format_error", `reading the local path ${path} needs the FileSystem service (e.g. NodeFileSystem.layer)`),
      onSome: (fs) =>
        admittedPath(fs, path, options.allowedFileDirs).pipe(
          Effect.flatMap((readable) => collectLimited(fs.stream(readable), options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, "upload_failed")),
          Effect.map((bytes) => ({ bytes, fileName: lastSegment(path) }))
        )
    }))

/** Reads a `Blob` (a `File` keeps its name). */
export const readBlob = (blob: Blob, options: MediaReadOptions): Effect.Effect<MediaBytes, ChannelSendError> => {
  const limit = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES
  if (blob.size > limit) return tooLarge("upload_failed", limit)
  return Effect.tryPromise({
    try: () => blob.arrayBuffer(),
    catch: (cause) => new ChannelSendError({ code: "upload_failed", detail: `reading the media failed: ${String(cause)}` })
  }).pipe(Effect.map((buffer) => ({ bytes: new Uint8Array(buffer), fileName: blob instanceof File ? blob.name : undefined })))
}
