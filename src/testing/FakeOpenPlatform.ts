/**
 * A fake Feishu / Lark Open Platform on a real HTTP server, for tests (ours and our users').
 *
 * It speaks the wire protocol of `spec/http-core.md`: token endpoints (self-built and marketplace),
 * bearer-token checks (each route takes the token kinds of `routeTokens.ts`), message create and reply
 * (content checked against its msg_type, `messageContent.ts`; at most one message per `uuid`), image /
 * file upload (types, names and sizes checked) and download, one paginated contact API, Base (bitable)
 * app and table creation, and 404 for anything else. Every request is recorded; one-shot answers can be
 * programmed per route to inject faults (5xx, rate limits, invalid tokens, slow answers, dropped
 * connections).
 * `pushEvent` plays the platform's other side: it delivers an encrypted, signed event to a webhook URL
 * (`pushEvent.ts`).
 *
 * Runtime-agnostic: it needs an `HttpServer.HttpServer`; `layers/FakeOpenPlatformNode.ts` picks Node.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Multipart from "@effect/platform/Multipart"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { isObject } from "../events/dispatch.js"
import { decodeDuration, dieMessage, type DurationInput, httpUrlOf, jsonResponse, scopedLayer, Service } from "../internal/dialect.js"
import * as ChannelApis from "./FakeChannelApis.js"
import { defaultApps, type FakeApp, knowsAssertion, knowsSecret } from "./fakeApps.js"
import * as Registration from "./FakeRegistration.js"
import { checkContent } from "./messageContent.js"
import { type PushAttempt, type PushedEvent, pushEvent, type PushOptions } from "./pushEvent.js"
import { acceptedTokens, type AuthedRoute, type TokenKind } from "./routeTokens.js"

// ---------------------------------------------------------------------------------------------------
// Public model
// ---------------------------------------------------------------------------------------------------

export class FakeOpenPlatform extends Service<FakeOpenPlatform, FakeOpenPlatform.Service>()("lark-effect/testing/FakeOpenPlatform") {}

/**
 * Answers `POST /callback/ws/endpoint` (the long connection's bootstrap) when in the context of `make`;
 * `FakeLongConnection.layer` provides it. Without it the route is a 404.
 */
export class LongConnectionEndpoint extends Service<
  LongConnectionEndpoint,
  (body: unknown) => Effect.Effect<{ readonly status: number; readonly body: unknown }>
>()("lark-effect/testing/LongConnectionEndpoint") {}

export declare namespace FakeOpenPlatform {
  interface Options {
    /**
     * Apps whose credentials the token endpoints accept: an App Secret, or a client assertion (keyless apps,
     * `POST /oauth/v3/token`). Default `[defaultApp]` (`fakeApps.ts`).
     */
    readonly apps?: ReadonlyArray<FakeApp>
    /** The `expire` (seconds) returned by the token endpoints. Default 7200. */
    readonly tokenExpireSeconds?: number
    /** Tickets accepted by the marketplace app-token endpoint. Default none. */
    readonly appTickets?: ReadonlyArray<string>
    /** How many seeded users `find_by_department` pages over. Default 5. */
    readonly departmentUsers?: number
    /** The accounts server's app-registration device flow (`registerApp`), see `FakeRegistration`. */
    readonly registration?: Registration.FakeRegistration.Options
  }

  interface Service {
    /** `http://127.0.0.1:<port>`, no trailing slash. */
    readonly url: string
    /** Every request received, in order. */
    readonly calls: Effect.Effect<ReadonlyArray<RecordedCall>>
    /** Calls to one route: `path` is exact or has `:param` placeholders. */
    readonly callsTo: (method: string, path: string) => Effect.Effect<ReadonlyArray<RecordedCall>>
    /** Requests received on the token-issuing endpoints (tenant / app, self-built / marketplace). */
    readonly tokenFetches: Effect.Effect<number>
    /** Queues one-shot answers for a route; they are used in order, then the default behaviour resumes. */
    readonly program: (method: string, path: string, ...answers: ReadonlyArray<Answer>) => Effect.Effect<void>
    /** Every token issued so far becomes invalid (answers code 99991663). */
    readonly expireTokens: Effect.Effect<void>
    readonly setTokenExpireSeconds: (seconds: number) => Effect.Effect<void>
    /** The Bases (bitable apps) created so far, in order, with their tables. */
    readonly bases: Effect.Effect<ReadonlyArray<FakeBase>>
    /**
     * Forgets recorded calls, programmed answers and the channel records (edits, recalls, reactions); tokens,
     * stored files, the `uuid`s of sent messages, Bases and CardKit cards stay.
     */
    readonly reset: Effect.Effect<void>
    /** The fake device flow served on `/oauth/v1/app/registration`: script its answers, read its calls. */
    readonly registration: Registration.FakeRegistration.Service
    /**
     * Pushes an event (or card action) to a webhook at `url` like the platform: encrypted and signed,
     * redelivered until it gets 200 (see `pushEvent.ts`); answers each delivery's result.
     */
    readonly pushEvent: (url: string, event: PushedEvent, options?: PushOptions) => Effect.Effect<ReadonlyArray<PushAttempt>>
    /** Edits, recalls, reactions, CardKit cards, seeded resources and chats (`FakeChannelApis.ts`). */
    readonly channel: ChannelApis.FakeChannelApis.Service
  }
}

export interface RecordedCall {
  readonly method: string
  readonly path: string
  readonly query: Record<string, ReadonlyArray<string>>
  /** Lower-case names. */
  readonly headers: Record<string, string>
  readonly body: RecordedBody
}

export interface RecordedFile {
  readonly fileName: string
  readonly contentType: string
  readonly size: number
  readonly bytes: Uint8Array
}

export type RecordedBody =
  | { readonly _tag: "None" }
  | { readonly _tag: "Json"; readonly value: unknown }
  | {
    readonly _tag: "Multipart"
    readonly fields: Record<string, string>
    readonly files: Record<string, RecordedFile>
  }
  | { readonly _tag: "Text"; readonly text: string }

/** A Base (bitable app) created with `POST /open-apis/bitable/v1/apps`. */
export interface FakeBase {
  readonly appToken: string
  readonly name: string
  readonly folderToken: string | undefined
  readonly timeZone: string | undefined
  readonly url: string
  /** The table made with the Base (its `default_table_id`) first, then the ones created later, in order. */
  readonly tables: ReadonlyArray<FakeBaseTable>
}

export interface FakeBaseTable {
  readonly tableId: string
  readonly name: string
  readonly defaultViewId: string
  readonly defaultViewName: string
  /** The first field is the primary one. */
  readonly fields: ReadonlyArray<FakeBaseField>
}

export interface FakeBaseField {
  readonly fieldId: string
  readonly fieldName: string
  /** The platform's numeric field type: 1 text, 2 number, 3 single select, 5 date, 7 checkbox, ... */
  readonly type: number
}

/** A programmed one-shot answer. Build them with the `Answer` constructors. */
export type Answer =
  | {
    readonly _tag: "Json"
    readonly status: number
    readonly body: unknown
    readonly headers: Record<string, string>
  }
  | { readonly _tag: "Slow"; readonly delay: Duration.Duration }
  | { readonly _tag: "Drop" }

const invalidTokenMsg = "Invalid access token for authorization. Please make a request with token attached."
const missingTokenMsg = "Missing access token for authorization. Please make a request with token attached."

export const Answer = {
  /** Answers `status` with `body` as JSON. */
  json: (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
    _tag: "Json",
    status,
    body,
    headers
  }),
  /** A gateway failure: `status` with an envelope whose `code` is the status. */
  serverError: (status = 500): Answer => Answer.json(status, { code: status, msg: "internal server error" }),
  /** HTTP 429 with code 99991400 and the `x-ogw-ratelimit-*` headers (spec §4.2). */
  rateLimited: (resetSeconds: number): Answer =>
    Answer.json(429, { code: 99991400, msg: "request trigger frequency limit" }, {
      "x-ogw-ratelimit-limit": "50",
      "x-ogw-ratelimit-reset": String(resetSeconds)
    }),
  /** HTTP 400 with code 99991663, as for an expired or revoked tenant token. */
  tokenInvalid: (): Answer => Answer.json(400, { code: 99991663, msg: invalidTokenMsg }),
  /** Waits `delay`, then answers with the default behaviour. */
  slow: (delay: DurationInput): Answer => ({ _tag: "Slow", delay: decodeDuration(delay) }),
  /** Destroys the TCP connection without sending any response. */
  drop: (): Answer => ({ _tag: "Drop" })
} as const

// ---------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------

interface IssuedToken {
  readonly kind: "tenant" | "app"
  readonly appId: string
  readonly tenantKey: string | undefined
  readonly expiresAt: number
}

interface StoredBlob {
  readonly kind: "image" | "file"
  readonly fileName: string
  readonly contentType: string
  readonly bytes: Uint8Array
}

interface Programmed {
  readonly method: string
  readonly path: string
  readonly answers: ReadonlyArray<Answer>
}

interface State {
  readonly apps: ReadonlyArray<FakeApp>
  readonly appTickets: ReadonlyArray<string>
  readonly departmentUsers: number
  readonly expireSeconds: Ref.Ref<number>
  readonly calls: Ref.Ref<Chunk.Chunk<RecordedCall>>
  readonly programmed: Ref.Ref<ReadonlyArray<Programmed>>
  readonly tokens: Ref.Ref<ReadonlyMap<string, IssuedToken>>
  readonly blobs: Ref.Ref<ReadonlyMap<string, StoredBlob>>
  /** The answer (`data`) of the first message sent with a `uuid`, by `<app id> <uuid>`. */
  readonly sentUuids: Ref.Ref<ReadonlyMap<string, unknown>>
  /** By app token, in creation order. */
  readonly bases: Ref.Ref<ReadonlyMap<string, FakeBase>>
  readonly sequence: Ref.Ref<number>
  readonly registration: Registration.FakeRegistration.Service
  readonly longConnection: Option.Option<typeof LongConnectionEndpoint.Service>
  readonly channel: ChannelApis.State
}

/** A fresh zero-padded sequence number for ids, keys, tokens and log ids (unique within one server). */
const next = (state: State): Effect.Effect<string> =>
  Ref.modify(state.sequence, (n) => [String(n).padStart(6, "0"), n + 1])

// ---------------------------------------------------------------------------------------------------
// Paths and recording
// ---------------------------------------------------------------------------------------------------

/** Matches `path` against a pattern whose `:name` segments match any one non-empty segment. */
const matchPath = (pattern: string, path: string): Option.Option<Record<string, string>> => {
  const want = pattern.split("/")
  const got = path.split("/")
  if (want.length !== got.length) return Option.none()
  const params: Record<string, string> = {}
  for (const [i, expected] of want.entries()) {
    const segment = got[i]!
    if (expected.startsWith(":") && segment !== "") params[expected.slice(1)] = decodeURIComponent(segment)
    else if (expected !== segment) return Option.none()
  }
  return Option.some(params)
}

const sameRoute = (method: string, path: string) => (call: RecordedCall): boolean =>
  call.method === method.toUpperCase() && Option.isSome(matchPath(path, call.path))

const queryOf = (params: URLSearchParams): Record<string, ReadonlyArray<string>> => {
  const query: Record<string, Array<string>> = {}
  params.forEach((value, key) => (query[key] ??= []).push(value))
  return query
}

type MultipartBody = Extract<RecordedBody, { _tag: "Multipart" }>

const decodeMultipart = (headers: Record<string, string>, bytes: Uint8Array): Effect.Effect<MultipartBody, Multipart.MultipartError> =>
  Effect.suspend(() => {
    let body: MultipartBody = { _tag: "Multipart", fields: {}, files: {} }
    return Stream.make(bytes).pipe(
      Stream.pipeThroughChannel(Multipart.makeChannel(headers)),
      // a file part's content is read before the next part is pulled, as the parser requires
      Stream.runForEach((part) =>
        part._tag === "Field"
          ? Effect.sync(() => void (body = { ...body, fields: { ...body.fields, [part.key]: part.value } }))
          : Effect.map(part.contentEffect, (bytes) =>
            void (body = {
              ...body,
              files: { ...body.files, [part.key]: { fileName: part.name, contentType: part.contentType, size: bytes.length, bytes } }
            }))
      ),
      Effect.map(() => body)
    )
  })

/** Reads the body once and keeps it in the most useful shape; unparseable bodies are kept as text. */
const decodeBody = (headers: Record<string, string>, bytes: Uint8Array): Effect.Effect<RecordedBody> => {
  if (bytes.length === 0) return Effect.succeed({ _tag: "None" })
  const text = new TextDecoder().decode(bytes)
  const asText: RecordedBody = { _tag: "Text", text }
  const contentType = (headers["content-type"] ?? "").toLowerCase()
  if (contentType.startsWith("multipart/form-data")) {
    return decodeMultipart(headers, bytes).pipe(Effect.orElseSucceed(() => asText))
  }
  if (contentType.includes("json")) {
    return Effect.succeed(Option.match(parseJson(text), { onNone: () => asText, onSome: (value) => ({ _tag: "Json", value }) }))
  }
  return Effect.succeed(asText)
}

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

const recordCall = (state: State, request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const url = new URL(request.url, "http://fake.invalid")
    const headers: Record<string, string> = { ...request.headers }
    const bytes = new Uint8Array(yield* Effect.orDie(request.arrayBuffer))
    const call: RecordedCall = {
      method: request.method.toUpperCase(),
      path: url.pathname,
      query: queryOf(url.searchParams),
      headers,
      body: yield* decodeBody(headers, bytes)
    }
    yield* Ref.update(state.calls, Chunk.append(call))
    return call
  })

/** Pops the first programmed answer whose route matches the call. */
const takeProgrammed = (state: State, call: RecordedCall): Effect.Effect<Option.Option<Answer>> =>
  Ref.modify(state.programmed, (all) => {
    const index = all.findIndex((p) => p.answers.length > 0 && sameRoute(p.method, p.path)(call))
    if (index < 0) return [Option.none(), all]
    const [answer, ...rest] = all[index]!.answers
    return [Option.some(answer!), all.map((p, i) => (i === index ? { ...p, answers: rest } : p))]
  })

// ---------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------

type Reply = HttpServerResponse.HttpServerResponse

interface RouteInput {
  readonly state: State
  readonly call: RecordedCall
  readonly params: Record<string, string>
}

/** A handler fails with the response of a rejected request (bad token, bad field...). */
type Handler = (input: RouteInput) => Effect.Effect<Reply, Reply>

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  jsonResponse(body, { status, headers })

const ok = (data: unknown): Reply => json(200, { code: 0, msg: "success", data })

/** Code 99992402 with one field violation: fail with it from a handler. */
const fieldViolation = (field: string, description: string): Effect.Effect<never, Reply> =>
  Effect.fail(json(400, {
    code: 99992402,
    msg: "field validation failed",
    error: { field_violations: [{ field, description }] }
  }))

const notFound = json(404, { code: 404, msg: "404 page not found" })

/** Fails with a field violation unless `value` is a non-empty string. */
const required = (field: string, value: string | undefined): Effect.Effect<string, Reply> =>
  value === undefined || value === "" ? fieldViolation(field, `${field} is required`) : Effect.succeed(value)

/** A string field of a JSON or multipart body. */
const bodyField = (body: RecordedBody, field: string): string | undefined => {
  if (body._tag === "Multipart") return body.fields[field]
  if (body._tag !== "Json" || !isObject(body.value)) return undefined
  const value = body.value[field]
  return typeof value === "string" ? value : undefined
}

const queryField = (call: RecordedCall, field: string): string | undefined => call.query[field]?.[0]

// ---------------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------------

// The real platform's HTTP status for a failed token request is not documented in our sources; we
// answer HTTP 200 with the non-zero code, the case a client that trusts the status would get wrong.
const secretInvalid = json(200, { code: 10014, msg: "app secret invalid" })

const checkCredentials = (state: State, body: RecordedBody): Effect.Effect<string, Reply> => {
  const appId = bodyField(body, "app_id")
  return appId !== undefined && knowsSecret(state.apps, appId, bodyField(body, "app_secret"))
    ? Effect.succeed(appId)
    : Effect.fail(secretInvalid)
}

/** Issues a fresh token, remembered with its app, tenant and expiry. */
const mint = (state: State, kind: IssuedToken["kind"], appId: string, tenantKey?: string) =>
  Effect.gen(function*() {
    const token = `${kind === "tenant" ? "t" : "a"}-fake${yield* next(state)}`
    const expire = yield* Ref.get(state.expireSeconds)
    const expiresAt = (yield* Clock.currentTimeMillis) + expire * 1000
    yield* Ref.update(state.tokens, (tokens) => new Map(tokens).set(token, { kind, appId, tenantKey, expiresAt }))
    return { token, expire }
  })

/** Issues a fresh token and answers with the flat token response (spec §2.1). */
const issue = (state: State, kind: IssuedToken["kind"], appId: string, tenantKey?: string) =>
  Effect.map(mint(state, kind, appId, tenantKey), ({ expire, token }) =>
    json(200, { code: 0, msg: "ok", [`${kind}_access_token`]: token, expire }))

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

/**
 * `POST /oauth/v3/token` for keyless apps (spec §2.5): a tenant token for a client assertion, answered in the
 * OAuth shape. Other grants (user tokens) are not served here.
 */
const clientAssertionToken: Handler = ({ call, state }) => {
  if (bodyField(call.body, "grant_type") !== JWT_BEARER) {
    return Effect.succeed(json(400, { error: "unsupported_grant_type", error_description: "the fake serves the jwt-bearer grant only" }))
  }
  const appId = bodyField(call.body, "client_id")
  if (appId === undefined || !knowsAssertion(state.apps, appId, bodyField(call.body, "client_assertion"))) {
    return Effect.succeed(json(400, { error: "invalid_client", error_description: "client assertion invalid" }))
  }
  return Effect.map(mint(state, "tenant", appId), ({ expire, token }) =>
    json(200, { access_token: token, token_type: "Bearer", expires_in: expire }))
}

/**
 * The token a request carries, if it was issued here, is not revoked, has not expired and is of a kind the
 * route accepts. The platform's exact code for a token of the wrong kind is not known to us; we answer the
 * invalid-token code.
 */
const authenticate = (state: State, call: RecordedCall, accepted: ReadonlyArray<TokenKind>): Effect.Effect<IssuedToken, Reply> =>
  Effect.gen(function*() {
    const match = /^Bearer\s+(\S+)$/i.exec(call.headers["authorization"]?.trim() ?? "")
    if (match === null) return yield* Effect.fail(json(400, { code: 99991661, msg: missingTokenMsg }))
    const issued = (yield* Ref.get(state.tokens)).get(match[1]!)
    const now = yield* Clock.currentTimeMillis
    if (issued === undefined || issued.expiresAt <= now || !accepted.includes(issued.kind)) {
      return yield* Effect.fail(json(400, { code: 99991663, msg: invalidTokenMsg }))
    }
    return issued
  })

const selfBuiltToken = (kind: IssuedToken["kind"]): Handler => ({ call, state }) =>
  Effect.flatMap(checkCredentials(state, call.body), (appId) => issue(state, kind, appId))

const marketplaceAppToken: Handler = ({ call, state }) =>
  Effect.gen(function*() {
    const appId = yield* checkCredentials(state, call.body)
    const ticket = bodyField(call.body, "app_ticket")
    if (ticket === undefined || !state.appTickets.includes(ticket)) {
      return yield* Effect.fail(json(200, { code: 10012, msg: "app_ticket invalid" }))
    }
    return yield* issue(state, "app", appId)
  })

const marketplaceTenantToken: Handler = ({ call, state }) =>
  Effect.gen(function*() {
    const tenantKey = yield* required("tenant_key", bodyField(call.body, "tenant_key"))
    const appToken = (yield* Ref.get(state.tokens)).get(bodyField(call.body, "app_access_token") ?? "")
    const now = yield* Clock.currentTimeMillis
    if (appToken === undefined || appToken.kind !== "app" || appToken.expiresAt <= now) {
      return yield* Effect.fail(json(200, { code: 99991664, msg: "app access token invalid" }))
    }
    return yield* issue(state, "tenant", appToken.appId, tenantKey)
  })

const resendAppTicket: Handler = ({ call, state }) =>
  Effect.as(checkCredentials(state, call.body), json(200, { code: 0, msg: "ok" }))

// ---------------------------------------------------------------------------------------------------
// IM: messages, images, files
// ---------------------------------------------------------------------------------------------------

const receiveIdTypes = ["open_id", "user_id", "union_id", "email", "chat_id"]

/** Checks `msg_type` and `content`, and answers the fields that a new message and a reply share. */
const sentMessage = (state: State, token: IssuedToken, call: RecordedCall) =>
  Effect.gen(function*() {
    const msgType = yield* required("msg_type", bodyField(call.body, "msg_type"))
    const content = yield* required("content", bodyField(call.body, "content"))
    yield* Effect.flatMap(Ref.get(state.blobs), (blobs) => checkContent(blobs, msgType, content))
    const now = String(yield* Clock.currentTimeMillis) // int64 values travel as decimal strings
    return {
      message_id: `om_fake${yield* next(state)}`,
      msg_type: msgType,
      create_time: now,
      update_time: now,
      body: { content },
      sender: { id: token.appId, id_type: "app_id", sender_type: "app", tenant_key: token.tenantKey ?? "" }
    }
  })

/** A reply to `:message_id`; its content is checked like a new message's. */
const replyMessage = ({ call, params, state }: RouteInput, token: IssuedToken) =>
  Effect.gen(function*() {
    yield* ChannelApis.notRecalled(state.channel, params.message_id!)
    const message = yield* sentMessage(state, token, call)
    return { ...message, root_id: params.message_id, parent_id: params.message_id }
  })

const createMessage = ({ call, state }: RouteInput, token: IssuedToken) =>
  Effect.gen(function*() {
    const idType = queryField(call, "receive_id_type")
    if (idType === undefined || !receiveIdTypes.includes(idType)) {
      return yield* fieldViolation("receive_id_type", `receive_id_type must be one of ${receiveIdTypes.join(", ")}`)
    }
    const receiveId = yield* required("receive_id", bodyField(call.body, "receive_id"))
    const message = yield* sentMessage(state, token, call)
    return { ...message, chat_id: idType === "chat_id" ? receiveId : `oc_p2p_${receiveId}`, deleted: false, updated: false }
  })

/**
 * Sends at most once per (app, `uuid`): a request that repeats a `uuid` its app already sent a message with
 * gets that message's answer and sends nothing new. The platform forgets a uuid after about an hour; the fake
 * remembers it for its lifetime. A refused request sent nothing, so its uuid stays free.
 */
const sendOnce = (send: (input: RouteInput, token: IssuedToken) => Effect.Effect<unknown, Reply>) =>
(input: RouteInput, token: IssuedToken): Effect.Effect<Reply, Reply> => {
  const uuid = bodyField(input.call.body, "uuid")
  if (uuid === undefined || uuid === "") return Effect.map(send(input, token), ok)
  const key = `${token.appId} ${uuid}`
  return Effect.flatMap(Ref.get(input.state.sentUuids), (sent) =>
    sent.has(key) ? Effect.succeed(ok(sent.get(key))) : Effect.flatMap(send(input, token), (data) => keepFirst(input.state, key, data)))
}

/** Keeps `data` as the answer for `key` unless a concurrent request with that uuid got there first; answers the one kept. */
const keepFirst = (state: State, key: string, data: unknown): Effect.Effect<Reply> =>
  Ref.modify(state.sentUuids, (sent) => (sent.has(key) ? [ok(sent.get(key)), sent] : [ok(data), new Map(sent).set(key, data)]))

// What the platform takes as uploads: the types are the catalog's enums; the sizes come from node-sdk 1.74's
// JSDoc of image.create (10 MB, not 0 bytes) and file.create (30 MB, not empty). Our sources do not show the
// platform's answer to a violation; as far as we know it is the field-violation code, 99992402.
const MB = 1024 * 1024

interface UploadRules {
  /** The multipart file part, and the kind of the stored upload. */
  readonly kind: StoredBlob["kind"]
  readonly typeField: string
  readonly types: ReadonlyArray<string>
  readonly maxBytes: number
  /** The required field that names the upload; without one, the part's filename is kept. */
  readonly nameField: string | undefined
  readonly keyPrefix: string
  readonly keyName: string
}

const imageUpload: UploadRules = {
  kind: "image",
  typeField: "image_type",
  types: ["message", "avatar"],
  maxBytes: 10 * MB,
  nameField: undefined,
  keyPrefix: "img_v3_fake",
  keyName: "image_key"
}

const fileUpload: UploadRules = {
  kind: "file",
  typeField: "file_type",
  types: ["opus", "mp4", "pdf", "doc", "xls", "ppt", "stream"],
  maxBytes: 30 * MB,
  nameField: "file_name",
  keyPrefix: "file_v3_fake",
  keyName: "file_key"
}

/** The multipart file part `rules.kind`, if it is there and neither empty nor over the size limit. */
const uploadedPart = (body: RecordedBody, rules: UploadRules): Effect.Effect<RecordedFile, Reply> => {
  const file = body._tag === "Multipart" ? body.files[rules.kind] : undefined
  if (file === undefined) return fieldViolation(rules.kind, `${rules.kind} must be a file part`)
  if (file.size === 0) return fieldViolation(rules.kind, `${rules.kind} must not be empty`)
  return file.size > rules.maxBytes
    ? fieldViolation(rules.kind, `${rules.kind} must be at most ${rules.maxBytes / MB} MB`)
    : Effect.succeed(file)
}

/** Stores the upload under a fresh `<keyPrefix><n>` key and answers `{ [keyName]: key }`. */
const upload = (rules: UploadRules): Handler => ({ call, state }) =>
  Effect.gen(function*() {
    const type = yield* required(rules.typeField, bodyField(call.body, rules.typeField))
    if (!rules.types.includes(type)) {
      return yield* fieldViolation(rules.typeField, `${rules.typeField} must be one of ${rules.types.join(", ")}`)
    }
    const name = rules.nameField === undefined ? undefined : yield* required(rules.nameField, bodyField(call.body, rules.nameField))
    const file = yield* uploadedPart(call.body, rules)
    const key = `${rules.keyPrefix}${yield* next(state)}`
    yield* Ref.update(state.blobs, (blobs) => new Map(blobs).set(key, { ...file, kind: rules.kind, fileName: name ?? file.fileName }))
    return ok({ [rules.keyName]: key })
  })

// A download endpoint answers a JSON error envelope, not bytes, for an unknown key (STYLE §5.6).
const fileNotFound = json(400, { code: 234003, msg: "File not in msg." })

const findBlob = (state: State, key: string | undefined): Effect.Effect<StoredBlob, Reply> =>
  Effect.flatMap(Ref.get(state.blobs), (blobs) => {
    const blob = key === undefined ? undefined : blobs.get(key)
    return blob === undefined ? Effect.fail(fileNotFound) : Effect.succeed(blob)
  })

const downloadImage: Handler = ({ params, state }) =>
  Effect.map(findBlob(state, params["image_key"]), (blob) =>
    HttpServerResponse.uint8Array(blob.bytes, { contentType: blob.contentType || "application/octet-stream" }))

/** RFC 6266 / 5987: a quoted ASCII fallback plus the exact name as percent-encoded UTF-8. */
const contentDisposition = (fileName: string): string => {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_")
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

const downloadFile: Handler = ({ params, state }) =>
  Effect.map(findBlob(state, params["file_key"]), (blob) =>
    HttpServerResponse.uint8Array(blob.bytes, {
      contentType: "application/octet-stream",
      headers: { "content-disposition": contentDisposition(blob.fileName) }
    }))

// ---------------------------------------------------------------------------------------------------
// Contact: users by department
// ---------------------------------------------------------------------------------------------------

const parsePageToken = (token: string | undefined): Option.Option<number> => {
  if (token === undefined || token === "") return Option.some(0)
  const match = /^page_(\d+)$/.exec(token)
  return match === null ? Option.none() : Option.some(Number(match[1]))
}

const findByDepartment: Handler = ({ call, state }) =>
  Effect.gen(function*() {
    const departmentId = yield* required("department_id", queryField(call, "department_id"))
    const pageSize = Number(queryField(call, "page_size") ?? "10")
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
      return yield* fieldViolation("page_size", "page_size must be an integer from 1 to 50")
    }
    const start = parsePageToken(queryField(call, "page_token"))
    if (Option.isNone(start)) return yield* fieldViolation("page_token", "page_token is invalid")
    const end = Math.min(start.value + pageSize, state.departmentUsers)
    const items = Array.from({ length: Math.max(end - start.value, 0) }, (_, i) => seededUser(start.value + i, departmentId))
    const hasMore = end < state.departmentUsers
    // the real platform sends an empty page_token on the last page (spec §6)
    return ok({ has_more: hasMore, page_token: hasMore ? `page_${end}` : "", items })
  })

const seededUser = (index: number, departmentId: string) => ({
  open_id: `ou_fake${String(index).padStart(4, "0")}`,
  user_id: `fake_user_${index}`,
  name: `Fake User ${index}`,
  department_ids: [departmentId]
})

// ---------------------------------------------------------------------------------------------------
// Base (bitable): apps and tables
// ---------------------------------------------------------------------------------------------------

// An app token this platform never issued. The Base error table lists code 1254040 "BaseTokenNotFound"
// with HTTP 200 as far as we know it (our sources do not show it): a non-zero code on a 200, which a
// client that trusts the status would take for success.
const baseNotFound = json(200, { code: 1254040, msg: "BaseTokenNotFound" })

/** The JSON body as a record; anything else reads as `{}`, so every field is missing. */
const jsonBody = (body: RecordedBody): Record<string, unknown> =>
  body._tag === "Json" && isObject(body.value) ? body.value : {}

const optionalString = (record: Record<string, unknown>, field: string, at: string): Effect.Effect<string | undefined, Reply> => {
  const value = record[field]
  return value === undefined || (typeof value === "string" && value !== "")
    ? Effect.succeed(value)
    : fieldViolation(at, `${at} must be a non-empty string`)
}

interface TableInput {
  readonly name: string | undefined
  readonly defaultViewName: string | undefined
  readonly fields: ReadonlyArray<{ readonly fieldName: string; readonly type: number }>
}

/** Reads one `ReqTable` (`table` of create, an element of `tables` of batch_create); `at` names it in violations. */
const tableInput = (value: unknown, at: string): Effect.Effect<TableInput, Reply> =>
  Effect.gen(function*() {
    if (!isObject(value)) return yield* fieldViolation(at, `${at} must be an object`)
    const name = yield* optionalString(value, "name", `${at}.name`)
    const defaultViewName = yield* optionalString(value, "default_view_name", `${at}.default_view_name`)
    const rawFields = value["fields"] ?? []
    if (!Array.isArray(rawFields)) return yield* fieldViolation(`${at}.fields`, `${at}.fields must be an array`)
    const fields = yield* Effect.forEach(rawFields, (field: unknown, i) =>
      Effect.gen(function*() {
        const path = `${at}.fields[${i}]`
        if (!isObject(field)) return yield* fieldViolation(path, `${path} must be an object`)
        const fieldName = yield* required(`${path}.field_name`, typeof field["field_name"] === "string" ? field["field_name"] : undefined)
        const type = field["type"]
        if (typeof type !== "number" || !Number.isInteger(type) || type < 1) {
          return yield* fieldViolation(`${path}.type`, `${path}.type must be a field type number`)
        }
        return { fieldName, type }
      }))
    return { name, defaultViewName, fields }
  })

// A table created without fields gets one primary text field, as a new table in the Base UI does.
const defaultFields: TableInput["fields"] = [{ fieldName: "Text", type: 1 }]

/** A table with fresh ids; it is named `Table <n>` (n = its position in the Base) unless the input names it. */
const makeTable = (state: State, input: TableInput, position: number): Effect.Effect<FakeBaseTable> =>
  Effect.gen(function*() {
    const tableId = `tblfake${yield* next(state)}`
    const defaultViewId = `vewfake${yield* next(state)}`
    const fields = yield* Effect.forEach(input.fields.length > 0 ? input.fields : defaultFields, (field) =>
      Effect.map(next(state), (n): FakeBaseField => ({ fieldId: `fldfake${n}`, ...field })))
    return {
      tableId,
      name: input.name ?? `Table ${position}`,
      defaultViewId,
      defaultViewName: input.defaultViewName ?? "Grid View",
      fields
    }
  })

const createBase: Handler = ({ call, state }) =>
  Effect.gen(function*() {
    const data = jsonBody(call.body)
    const name = (yield* optionalString(data, "name", "name")) ?? "Untitled Base"
    const folderToken = yield* optionalString(data, "folder_token", "folder_token")
    const timeZone = yield* optionalString(data, "time_zone", "time_zone")
    const appToken = `bascnfake${yield* next(state)}`
    const table = yield* makeTable(state, { name: undefined, defaultViewName: undefined, fields: [] }, 1)
    // `.invalid` never resolves: the URL looks like the real one and cannot be mistaken for it
    const base: FakeBase = { appToken, name, folderToken, timeZone, url: `https://fake.feishu.invalid/base/${appToken}`, tables: [table] }
    yield* Ref.update(state.bases, (bases) => new Map(bases).set(appToken, base))
    return ok({
      app: {
        app_token: appToken,
        name,
        ...(folderToken === undefined ? {} : { folder_token: folderToken }),
        url: base.url,
        default_table_id: table.tableId,
        ...(timeZone === undefined ? {} : { time_zone: timeZone })
      }
    })
  })

/** Adds tables to the Base `params.app_token`, or fails with BaseTokenNotFound. */
const addTables = (state: State, appToken: string | undefined, inputs: ReadonlyArray<TableInput>) =>
  Effect.gen(function*() {
    const base = (yield* Ref.get(state.bases)).get(appToken ?? "")
    if (base === undefined) return yield* Effect.fail(baseNotFound)
    const tables = yield* Effect.forEach(inputs, (input, i) => makeTable(state, input, base.tables.length + i + 1))
    // read again and append: tables created by concurrent requests in between are kept
    yield* Ref.update(state.bases, (bases) => {
      const current = bases.get(base.appToken)!
      return new Map(bases).set(base.appToken, { ...current, tables: [...current.tables, ...tables] })
    })
    return tables
  })

const createTable: Handler = ({ call, params, state }) =>
  Effect.gen(function*() {
    const input = yield* tableInput(jsonBody(call.body)["table"] ?? {}, "table")
    const [table] = yield* addTables(state, params["app_token"], [input])
    return ok({
      table_id: table!.tableId,
      default_view_id: table!.defaultViewId,
      field_id_list: table!.fields.map((field) => field.fieldId)
    })
  })

const batchCreateTables: Handler = ({ call, params, state }) =>
  Effect.gen(function*() {
    const raw = jsonBody(call.body)["tables"]
    if (!Array.isArray(raw) || raw.length === 0) return yield* fieldViolation("tables", "tables must be a non-empty array")
    const inputs = yield* Effect.forEach(raw, (table: unknown, i) => tableInput(table, `tables[${i}]`))
    const tables = yield* addTables(state, params["app_token"], inputs)
    return ok({ table_ids: tables.map((table) => table.tableId) })
  })

// ---------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------

interface Route {
  readonly method: string
  readonly path: string
  readonly handle: Handler
}

const open = (method: string, path: string, handle: Handler): Route => ({ method, path, handle })

/** A route that needs a valid bearer token of a kind it accepts (`routeTokens.ts`); the handler gets the token's record. */
const authed = (
  route: AuthedRoute,
  handle: (input: RouteInput, token: IssuedToken) => Effect.Effect<Reply, Reply>
): Route => {
  const [method, path] = route.split(" ") as [string, string]
  const accepted: ReadonlyArray<TokenKind> = acceptedTokens[route]
  return {
    method,
    path,
    handle: (input) => Effect.flatMap(authenticate(input.state, input.call, accepted), (token) => handle(input, token))
  }
}

const tokenPaths = [
  "/open-apis/auth/v3/tenant_access_token/internal",
  "/open-apis/auth/v3/app_access_token/internal",
  "/open-apis/auth/v3/app_access_token",
  "/open-apis/auth/v3/tenant_access_token",
  "/oauth/v3/token"
] as const

const isTokenFetch = (call: RecordedCall): boolean =>
  call.method === "POST" && tokenPaths.some((path) => path === call.path)

const routes: ReadonlyArray<Route> = [
  open("POST", tokenPaths[0], selfBuiltToken("tenant")),
  open("POST", tokenPaths[1], selfBuiltToken("app")),
  open("POST", tokenPaths[2], marketplaceAppToken),
  open("POST", tokenPaths[3], marketplaceTenantToken),
  open("POST", tokenPaths[4], clientAssertionToken),
  open("POST", "/open-apis/auth/v3/app_ticket/resend", resendAppTicket),
  open("POST", "/callback/ws/endpoint", ({ call, state }) =>
    Option.match(state.longConnection, {
      onNone: () => Effect.succeed(notFound),
      onSome: (answer) =>
        Effect.map(answer(call.body._tag === "Json" ? call.body.value : undefined), (a) => json(a.status, a.body))
    })),
  open("POST", Registration.ENDPOINT, ({ call, state }) =>
    Registration.serve(state.registration, call.headers["host"] ?? "", call.body._tag === "Text" ? call.body.text : "")),
  authed("POST /open-apis/im/v1/messages", sendOnce(createMessage)),
  authed("POST /open-apis/im/v1/messages/:message_id/reply", sendOnce(replyMessage)),
  authed("POST /open-apis/im/v1/images", upload(imageUpload)),
  authed("GET /open-apis/im/v1/images/:image_key", downloadImage),
  authed("POST /open-apis/im/v1/files", upload(fileUpload)),
  authed("GET /open-apis/im/v1/files/:file_key", downloadFile),
  ...ChannelApis.routes.map((route) => authed(route.route, route.handle)),
  authed("GET /open-apis/contact/v3/users/find_by_department", findByDepartment),
  authed("POST /open-apis/bitable/v1/apps", createBase),
  authed("POST /open-apis/bitable/v1/apps/:app_token/tables", createTable),
  authed("POST /open-apis/bitable/v1/apps/:app_token/tables/batch_create", batchCreateTables)
]

const defaultAnswer = (state: State, call: RecordedCall): Effect.Effect<Reply> => {
  for (const route of routes) {
    const params = matchPath(route.path, call.path)
    if (route.method !== call.method || Option.isNone(params)) continue
    return Effect.match(route.handle({ state, call, params: params.value }), { onFailure: identity, onSuccess: identity })
  }
  return Effect.succeed(notFound)
}

/**
 * Node only: the request's `source` is an `http.IncomingMessage`; destroying its socket closes the
 * connection with no response bytes. The server then interrupts the handler (client gone). A runtime
 * without such a socket gets a defect, answered as a 500.
 */
const dropConnection = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<never> => {
  const source = request.source
  if (
    Predicate.hasProperty(source, "socket") && Predicate.hasProperty(source.socket, "destroy") &&
    Predicate.isFunction(source.socket.destroy)
  ) {
    source.socket.destroy()
    return Effect.interrupt
  }
  return dieMessage("FakeOpenPlatform: Answer.drop() needs a Node request with a socket")
}

const answer = (
  state: State,
  request: HttpServerRequest.HttpServerRequest,
  call: RecordedCall,
  programmed: Answer
): Effect.Effect<Reply> => {
  switch (programmed._tag) {
    case "Json":
      return Effect.succeed(json(programmed.status, programmed.body, programmed.headers))
    case "Slow":
      // interruptible: a client that hangs up ends the wait (Effect 4 serves requests uninterruptibly)
      return Effect.andThen(Effect.interruptible(Effect.sleep(programmed.delay)), defaultAnswer(state, call))
    case "Drop":
      return dropConnection(request)
  }
}

const app = (state: State) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const call = yield* recordCall(state, request)
    const programmed = yield* takeProgrammed(state, call)
    const response = yield* Option.match(programmed, {
      onNone: () => defaultAnswer(state, call),
      onSome: (programmed) => answer(state, request, call, programmed)
    })
    return HttpServerResponse.setHeader(response, "X-Tt-Logid", `fakelog${yield* next(state)}`)
  })

// ---------------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------------

const urlOf = (url: string | undefined): Effect.Effect<string> =>
  url !== undefined ? Effect.succeed(url) : dieMessage("FakeOpenPlatform needs a TCP HttpServer")

/** Serves the fake platform on the given `HttpServer` for the lifetime of the scope. */
export const make = (
  options: FakeOpenPlatform.Options = {}
): Effect.Effect<FakeOpenPlatform.Service, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const state: State = {
      apps: options.apps ?? defaultApps,
      appTickets: options.appTickets ?? [],
      departmentUsers: options.departmentUsers ?? 5,
      expireSeconds: yield* Ref.make(options.tokenExpireSeconds ?? 7200),
      calls: yield* Ref.make(Chunk.empty<RecordedCall>()),
      programmed: yield* Ref.make<ReadonlyArray<Programmed>>([]),
      tokens: yield* Ref.make<ReadonlyMap<string, IssuedToken>>(new Map()),
      blobs: yield* Ref.make<ReadonlyMap<string, StoredBlob>>(new Map()),
      sentUuids: yield* Ref.make<ReadonlyMap<string, unknown>>(new Map()),
      bases: yield* Ref.make<ReadonlyMap<string, FakeBase>>(new Map()),
      sequence: yield* Ref.make(1),
      registration: yield* Registration.make(options.registration),
      longConnection: yield* Effect.serviceOption(LongConnectionEndpoint),
      channel: yield* ChannelApis.makeState
    }
    yield* server.serve(app(state))
    const calls = Effect.map(Ref.get(state.calls), Chunk.toReadonlyArray)
    const callsTo = (method: string, path: string) => Effect.map(calls, (all) => all.filter(sameRoute(method, path)))
    return {
      url: yield* urlOf(httpUrlOf(server.address)),
      registration: state.registration,
      channel: ChannelApis.service(state.channel),
      calls,
      callsTo,
      tokenFetches: Effect.map(calls, (all) => all.filter(isTokenFetch).length),
      program: (method, path, ...answers) =>
        Ref.update(state.programmed, (all) => [...all, { method: method.toUpperCase(), path, answers }]),
      expireTokens: Ref.set(state.tokens, new Map()),
      setTokenExpireSeconds: (seconds) => Ref.set(state.expireSeconds, seconds),
      bases: Effect.map(Ref.get(state.bases), (bases) => [...bases.values()]),
      reset: Effect.all([Ref.set(state.calls, Chunk.empty()), Ref.set(state.programmed, []), ChannelApis.forgetRecords(state.channel)], {
        discard: true
      }),
      pushEvent: (url, event, pushOptions) => Effect.provide(pushEvent(url, event, pushOptions), FetchHttpClient.layer)
    } satisfies FakeOpenPlatform.Service
  })

export const layer = (options?: FakeOpenPlatform.Options): Layer.Layer<FakeOpenPlatform, never, HttpServer.HttpServer> =>
  scopedLayer(FakeOpenPlatform, make(options))
