/**
 * Downloaded files: the bytes (or a stream of them) and the name the platform gave the file.
 */
import type * as Stream from "effect/Stream"
export interface DownloadedFile {
  /**
   * From `Content-Disposition` (`filename*` UTF-8 form preferred), when the platform sent one. It is the
   * name as sent, which may hold `/`, `..` or control characters: reduce it (`path.basename`, your own checks)
   * before you use it as a path.
   */
  readonly fileName: string | undefined
  readonly contentType: string | undefined
  readonly bytes: Uint8Array
}

export interface FileStream<E> {
  /** As {@link DownloadedFile.fileName}: the name as sent, not yet a safe path. */
  readonly fileName: string | undefined
  readonly contentType: string | undefined
  /** From `Content-Length`, when known. */
  readonly size: number | undefined
  /** Single use; the request is aborted when the scope it was opened in closes. */
  readonly stream: Stream.Stream<Uint8Array, E>
}

/** `%XX` escapes to bytes; other characters are taken as single bytes (they are ASCII in a valid header). */
const percentDecode = (value: string): Uint8Array => {
  const bytes: Array<number> = []
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3)
    if (value[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(value.charCodeAt(i) & 0xff)
    }
  }
  return Uint8Array.from(bytes)
}

/** RFC 5987 `charset'language'percent-encoded`. */
const decodeExtendedValue = (value: string): string | undefined => {
  const match = /^([^']*)'[^']*'(.*)$/.exec(value)
  if (match === null) return undefined
  try {
    return new TextDecoder(match[1] || "utf-8", { fatal: true }).decode(percentDecode(match[2]!))
  } catch {
    return undefined
  }
}

/**
 * The file name in a `Content-Disposition` header. `filename*=UTF-8''...` wins over `filename=`; a plain
 * `filename` holding raw UTF-8 bytes (which arrive as Latin-1 code units) is re-decoded as UTF-8.
 */
export const fileNameFromContentDisposition = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const extended = /filename\*\s*=\s*("?)([^";]+)\1/i.exec(header)
  if (extended !== null) {
    const decoded = decodeExtendedValue(extended[2]!.trim())
    if (decoded !== undefined) return decoded
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header)
  if (plain === null) return undefined
  const raw = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2]!.trim()
  return latin1AsUtf8(raw)
}

const latin1AsUtf8 = (value: string): string => {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(value, (c) => c.charCodeAt(0)))
  } catch {
    return value
  }
}
