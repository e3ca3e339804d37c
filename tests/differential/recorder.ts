/**
 * One recording server on 127.0.0.1 for both SDKs: it answers every request with success (tokens included,
 * a file for downloads) and keeps each request that carries the call header, reduced to what the suite
 * compares: method, path, query as a multiset, body as JSON, and the kind of token.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { Effect } from "effect"
import { loopback, urlOf } from "../fixtures/loopback.js"

/** The header that names the call a request belongs to; the token requests an SDK makes itself lack it. */
export const CALL_HEADER = "x-differential-call"

/** Calls whose name starts with this are answered with a file. */
export const DOWNLOAD_PREFIX = "download:"

export const TOKENS = { tenant: "t-differential", app: "a-differential", user: "u-differential" } as const

export type TokenKind = keyof typeof TOKENS | "none" | "unknown"

/** One multipart part: its content as text (hex when it is not UTF-8), and the file name and type it came with. */
export interface Part {
  readonly text?: string
  readonly hex?: string
  readonly file?: string
  readonly type?: string
}

export type Body =
  | { readonly json: unknown }
  | { readonly form: Readonly<Record<string, Part>> }
  | { readonly text: string }
  | null

export interface WireRequest {
  readonly method: string
  readonly path: string
  /** `name=value` pairs, decoded and sorted. */
  readonly query: ReadonlyArray<string>
  readonly body: Body
  readonly token: TokenKind
}

const tokenKind = (authorization: string | undefined): TokenKind => {
  if (authorization === undefined) return "none"
  for (const kind of ["tenant", "app", "user"] as const) if (authorization === `Bearer ${TOKENS[kind]}`) return kind
  return "unknown"
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

const content = (bytes: Buffer): Pick<Part, "text" | "hex"> => {
  try {
    return { text: utf8.decode(bytes) }
  } catch {
    return { hex: bytes.toString("hex") }
  }
}

/** A quoted parameter of a Content-Disposition line, with the WHATWG percent escapes undone. */
const dispositionParam = (line: string, param: string) => {
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(line)
  return match === null ? undefined : match[1]!.replace(/%22/g, "\"").replace(/%0D/g, "\r").replace(/%0A/g, "\n")
}

/**
 * multipart/form-data, read byte-exact (the web parser would turn a part without a file name into lossy
 * text): each part's name, content, file name and type. An empty body is an empty form.
 */
const form = (bytes: Buffer, contentType: string): Record<string, Part> => {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  const out: Record<string, Part> = {}
  if (bytes.length === 0 || boundary === null) return out
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  let at = bytes.indexOf(delimiter)
  while (at !== -1) {
    const start = at + delimiter.length
    if (bytes.subarray(start, start + 2).toString() === "--") break
    const headersEnd = bytes.indexOf("\r\n\r\n", start)
    const next = bytes.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd)
    if (headersEnd === -1 || next === -1) throw new Error("multipart body cut short")
    const headers = bytes.subarray(start + 2, headersEnd).toString("utf8").split("\r\n")
    const disposition = headers.find((line) => /^content-disposition:/i.test(line)) ?? ""
    const type = headers.find((line) => /^content-type:/i.test(line))?.replace(/^content-type:\s*/i, "")
    const name = dispositionParam(disposition, "name") ?? ""
    const file = dispositionParam(disposition, "filename")
    if (name in out) throw new Error(`multipart field ${name} sent twice`)
    out[name] = { ...content(bytes.subarray(headersEnd + 4, next)), ...(file === undefined ? {} : { file }), ...(type === undefined ? {} : { type }) }
    at = next + 2
  }
  return out
}

const body = (bytes: Buffer, contentType: string): Body => {
  if (contentType.startsWith("multipart/form-data")) return { form: form(bytes, contentType) }
  if (bytes.length === 0) return null
  const text = bytes.toString("utf8")
  try {
    return { json: JSON.parse(text) }
  } catch {
    return { text }
  }
}

const query = (search: string) =>
  [...new URLSearchParams(search)].map(([name, value]) => `${name}=${value}`).sort()

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

const FILE = Buffer.from("differential file")

const answer = (res: ServerResponse, call: string | undefined) => {
  if (call?.startsWith(DOWNLOAD_PREFIX) === true) {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-disposition": "attachment; filename=\"f.bin\"" })
    res.end(FILE)
    return
  }
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" })
  res.end(JSON.stringify({
    code: 0,
    msg: "ok",
    data: {},
    tenant_access_token: TOKENS.tenant,
    app_access_token: TOKENS.app,
    expire: 7200
  }))
}

export interface Recorder {
  readonly url: string
  /** The requests of a call, in arrival order; taking them forgets them. */
  readonly take: (call: string) => Effect.Effect<ReadonlyArray<WireRequest>>
}

/** The recording server for the scope. */
export const recorder = Effect.gen(function*() {
  const calls = new Map<string, Array<Promise<WireRequest>>>()
  const server: Server = yield* loopback((req, res) => {
    const call = req.headers[CALL_HEADER] as string | undefined
    const bytes = read(req)
    if (call !== undefined) {
      const url = new URL(req.url!, "http://recorder")
      const recorded = bytes.then((raw) => ({
        method: req.method!,
        path: url.pathname,
        query: query(url.search),
        body: body(raw, req.headers["content-type"] ?? ""),
        token: tokenKind(req.headers.authorization)
      }))
      const list = calls.get(call) ?? []
      list.push(recorded)
      calls.set(call, list)
    }
    bytes.then(() => answer(res, call), () => res.destroy())
  })
  const take = (call: string) => {
    const list = calls.get(call) ?? []
    calls.delete(call)
    return Effect.promise(() => Promise.all(list))
  }
  return { url: urlOf(server), take } satisfies Recorder
})
