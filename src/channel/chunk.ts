/**
 * Splitting long text into messages below a limit (default 3,500). Length is counted in Unicode code
 * points (characters), so CJK text and emoji are never cut inside a character. A chunk never ends inside
 * an `<at ...>...</at>` tag or inside a code fence: a fence longer than the limit is itself split into
 * several complete fences (closed and reopened with the same info string).
 *
 * Modes: `paragraph` cuts at blank lines, else at line breaks, else at spaces; `newline` at line breaks,
 * else at spaces; `none` only at the limit. Every mode falls back to a cut at the limit (CJK text has no
 * spaces), moved back to the start of a protected span when the limit falls inside one.
 */
import { closesFence, FENCE_OPEN } from "./fences.js"

export const DEFAULT_CHUNK_LIMIT = 3_500

export type ChunkMode = "paragraph" | "newline" | "none"

export interface ChunkOptions {
  readonly limit?: number | undefined
  readonly mode?: ChunkMode | undefined
}

const codePoints = (s: string): Array<string> => Array.from(s)
const cpLength = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}


/** Splits a fence body into groups of lines (long lines hard-split) of at most `budget` characters each. */
const groupLines = (lines: ReadonlyArray<string>, budget: number): Array<string> => {
  const groups: Array<string> = []
  let current: Array<string> = []
  let size = 0
  const flush = () => {
    if (current.length > 0) groups.push(current.join("\n"))
    current = []
    size = 0
  }
  for (const line of lines) {
    const cps = codePoints(line)
    const pieces: Array<string> = []
    for (let i = 0; i < Math.max(cps.length, 1); i += budget) pieces.push(cps.slice(i, i + budget).join(""))
    for (const piece of pieces) {
      const added = cpLength(piece) + (current.length > 0 ? 1 : 0)
      if (size + added > budget) flush()
      size += cpLength(piece) + (current.length > 0 ? 1 : 0)
      current.push(piece)
    }
  }
  flush()
  return groups
}

/** Rewrites every fence longer than `limit` as consecutive complete fences that each fit. */
const splitLongFences = (text: string, limit: number): string => {
  const lines = text.split("\n")
  const out: Array<string> = []
  let i = 0
  while (i < lines.length) {
    const open = FENCE_OPEN.exec(lines[i]!)
    if (open === null) {
      out.push(lines[i]!)
      i++
      continue
    }
    const marker = open[1]!
    let end = i + 1
    while (end < lines.length && !closesFence(lines[end]!, marker)) end++
    const closed = end < lines.length
    const block = lines.slice(i, closed ? end + 1 : end)
    if (cpLength(block.join("\n")) <= limit) {
      out.push(...block)
    } else {
      const openLine = lines[i]!
      const closeLine = closed ? lines[end]! : marker
      const budget = Math.max(1, limit - cpLength(openLine) - cpLength(closeLine) - 2)
      for (const group of groupLines(lines.slice(i + 1, end), budget)) out.push(openLine, group, closeLine)
    }
    i = closed ? end + 1 : end
  }
  return out.join("\n")
}

/** [start, end) ranges, in code points, that no cut may fall inside: fences and `<at>` tags. */
const protectedSpans = (text: string): Array<readonly [number, number]> => {
  const utf16ToCp: Array<number> = []
  let cp = 0
  for (const ch of text) {
    for (let k = 0; k < ch.length; k++) utf16ToCp.push(cp)
    cp++
  }
  utf16ToCp.push(cp)
  const spans: Array<readonly [number, number]> = []
  for (const m of text.matchAll(/<at\b[^>]*>[\s\S]*?<\/at>/g)) {
    spans.push([utf16ToCp[m.index]!, utf16ToCp[m.index + m[0].length]!])
  }
  const lines = text.split("\n")
  let offset = 0
  let open: { readonly start: number; readonly marker: string } | undefined
  for (const line of lines) {
    if (open === undefined) {
      const m = FENCE_OPEN.exec(line)
      if (m !== null) open = { start: offset, marker: m[1]! }
    } else if (closesFence(line, open.marker)) {
      spans.push([utf16ToCp[open.start]!, utf16ToCp[offset + line.length]!])
      open = undefined
    }
    offset += line.length + 1
  }
  if (open !== undefined) spans.push([utf16ToCp[open.start]!, cp])
  return spans
}

const SEPARATORS: Readonly<Record<ChunkMode, ReadonlyArray<(cps: ReadonlyArray<string>, i: number) => boolean>>> = {
  paragraph: [
    (cps, i) => cps[i] === "\n" && cps[i + 1] === "\n",
    (cps, i) => cps[i] === "\n",
    (cps, i) => /\s/.test(cps[i]!)
  ],
  newline: [(cps, i) => cps[i] === "\n", (cps, i) => /\s/.test(cps[i]!)],
  none: []
}

/** Splits `text` into chunks of at most `limit` characters (see the module comment). */
export const chunkText = (text: string, options: ChunkOptions = {}): Array<string> => {
  const limit = Math.max(1, options.limit ?? DEFAULT_CHUNK_LIMIT)
  if (cpLength(text) <= limit) return [text]
  // CRLF text (from files, some APIs) as LF: fences and blank lines are found by "\n" alone
  const prepared = splitLongFences(text.replace(/\r\n?/g, "\n"), limit)
  const cps = codePoints(prepared)
  const spans = protectedSpans(prepared)
  const inside = (i: number) => spans.some(([s, e]) => s < i && i < e)
  const separators = SEPARATORS[options.mode ?? "newline"]

  const chunks: Array<string> = []
  let pos = 0
  while (cps.length - pos > limit) {
    let cut = -1
    for (const isSeparator of separators) {
      for (let i = pos + limit; i > pos && cut < 0; i--) {
        if (i < cps.length && isSeparator(cps, i) && !inside(i)) cut = i
      }
      if (cut >= 0) break
    }
    let next: number
    if (cut >= 0) {
      next = cut
      while (next < cps.length && /\s/.test(cps[next]!) && (cps[next] === "\n" || next === cut)) next++
    } else {
      cut = pos + limit
      const span = spans.find(([s, e]) => s < cut && cut < e)
      // A span that starts at `pos` and is longer than the limit cannot be split: it goes out whole.
      if (span !== undefined) cut = span[0] > pos ? span[0] : span[1]
      next = cut
    }
    const chunk = cps.slice(pos, cut).join("")
    if (chunk.trim() !== "") chunks.push(chunk)
    pos = next
  }
  const rest = cps.slice(pos).join("")
  if (rest.trim() !== "") chunks.push(rest)
  return chunks
}

/**
 * The idempotency keys of a multi-chunk send: the caller's `uuid` goes on the first chunk only (spec B5);
 * the others carry none, so a resend of the whole message repeats them.
 */
export const chunkIdempotencyKeys = (count: number, uuid: string | undefined): Array<string | undefined> =>
  Array.from({ length: count }, (_, i) => (i === 0 ? uuid : undefined))
