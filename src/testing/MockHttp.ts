/**
 * `MockHttp`: an `HttpClient` answered from a route table, recording every request it gets.
 *
 * For unit tests of code that calls Lark: no server, no network. Token endpoints are answered by default,
 * so a test only routes the APIs it is about.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Service } from "../internal/dialect.js"
export interface RecordedRequest {
  readonly method: string
  readonly url: URL
  /** The path without the query string. */
  readonly path: string
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: RecordedBody
}

export type RecordedBody =
  | { readonly _tag: "None" }
  | { readonly _tag: "Json"; readonly value: unknown }
  | { readonly _tag: "Text"; readonly text: string }
  | {
    readonly _tag: "Multipart"
    readonly fields: Readonly<Record<string, string>>
    readonly files: Readonly<Record<string, { readonly fileName: string; readonly bytes: Uint8Array }>>
  }

export interface Answer {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** A JSON value, or raw bytes / text sent as they are. */
  readonly body?: unknown
}

export interface Route {
  readonly method: string
  /** Exact path, or with `:name` segments matching any one segment. */
  readonly path: string
  readonly answer: (request: RecordedRequest) => Answer | Effect.Effect<Answer>
}

export interface Service {
  /** Every request received, in order (token requests included). */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
}

export class MockHttp extends Service<MockHttp, Service>()("lark-effect/testing/MockHttp") {}

/** `{code: 0, msg: "success", data}` with HTTP 200. */
export const ok = (data: unknown): Answer => ({ body: { code: 0, msg: "success", data } })

/** An error envelope. */
export const fail = (code: number, msg: string, status = 400, headers?: Record<string, string>): Answer => ({
  status,
  headers,
  body: { code, msg }
})

export const route = (method: string, path: string, answer: Route["answer"]): Route => ({ method, path, answer })

/** Routes answering the self-built token endpoints, each time with a new token valid for `expire` seconds. */
export const tokenRoutes = (expire = 7200): ReadonlyArray<Route> => {
  let issued = 0
  return [
    route("POST", "/open-apis/auth/v3/tenant_access_token/internal", () => ({
      body: { code: 0, msg: "ok", tenant_access_token: `t-mock-${++issued}`, expire }
    })),
    route("POST", "/open-apis/auth/v3/app_access_token/internal", () => ({
      body: { code: 0, msg: "ok", app_access_token: `a-mock-${++issued}`, expire }
    }))
  ]
}

const matches = (pattern: string, path: string) => {
  const want = pattern.split("/")
  const got = path.split("/")
  return want.length === got.length && want.every((segment, i) => segment.startsWith(":") ? got[i] !== "" : segment === got[i])
}

const recordMultipart = async (form: FormData): Promise<RecordedBody> => {
  const fields: Record<string, string> = {}
  const files: Record<string, { fileName: string; bytes: Uint8Array }> = {}
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") fields[name] = value
    else files[name] = { fileName: value.name, bytes: new Uint8Array(await value.arrayBuffer()) }
  }
  return { _tag: "Multipart", fields, files }
}

const recordBody = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<RecordedBody> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ _tag: "None" })
    case "FormData":
      return Effect.promise(() => recordMultipart(body.formData))
    case "Uint8Array": {
      if (body.contentType.startsWith("multipart/form-data")) {
        // parse the encoded bytes, as a server would
        return Effect.promise(async () =>
          recordMultipart(await new Response(body.body as BodyInit, { headers: { "content-type": body.contentType } }).formData())
        )
      }
      const text = new TextDecoder().decode(body.body)
      return Effect.sync(() => body.contentType.includes("json") ? { _tag: "Json", value: JSON.parse(text) } : { _tag: "Text", text })
    }
    default:
      return Effect.succeed({ _tag: "Text", text: `<${body._tag} body>` })
  }
}

const record = (request: HttpClientRequest.HttpClientRequest, url: URL) =>
  Effect.map(recordBody(request), (body): RecordedRequest => {
    const query: Record<string, Array<string>> = {}
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value)
    return { method: request.method, url, path: url.pathname, query, headers: { ...request.headers }, body }
  })

const toResponse = (request: HttpClientRequest.HttpClientRequest, answer: Answer) => {
  const body = answer.body
  const raw = body instanceof Uint8Array || typeof body === "string"
  const headers = new Headers(answer.headers)
  if (!raw && !headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8")
  const payload = raw ? body as BodyInit : body === undefined ? null : JSON.stringify(body)
  return HttpClientResponse.fromWeb(request, new Response(payload, { status: answer.status ?? 200, headers }))
}

/** Builds the client and its recorder; `layer` is the usual way in. */
export const make = (routes: ReadonlyArray<Route>, options: { readonly tokens?: boolean } = {}) =>
  Effect.sync(() => {
    // appended in place (a copy per request made a long test quadratic); read as a snapshot
    const requests: Array<RecordedRequest> = []
    const table = options.tokens === false ? routes : [...routes, ...tokenRoutes()]
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const recorded = yield* record(request, url)
        requests.push(recorded)
        const found = table.find((candidate) => candidate.method === request.method && matches(candidate.path, url.pathname))
        if (found === undefined) {
          return toResponse(request, fail(404, `MockHttp: no route for ${request.method} ${url.pathname}`, 404))
        }
        const answer = found.answer(recorded)
        return toResponse(request, Effect.isEffect(answer) ? yield* answer : answer)
      })
    )
    return { client, service: { requests: Effect.sync(() => requests.slice()) } satisfies Service }
  })

/** Provides `HttpClient` from the routes, and `MockHttp` to read what was sent. */
export const layer = (
  routes: ReadonlyArray<Route>,
  options?: { readonly tokens?: boolean }
): Layer.Layer<HttpClient.HttpClient | MockHttp> =>
  Layer.effectContext(Effect.map(make(routes, options), ({ client, service }) =>
    Context.make(HttpClient.HttpClient, client).pipe(Context.add(MockHttp, service))))
