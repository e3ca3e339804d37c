/**
 * The request executor every API call goes through: check the payload, build the request, pick the token,
 * send with safe retries, decode. A token the platform rejects is evicted and the call sent once more.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Outgoing } from "./Exchange.js"
import type { DownloadedFile, FileStream } from "./Files.js"
import { LarkConfig, type Service as LarkConfigService } from "./LarkConfig.js"
import { LarkApiError, type LarkError, LarkRequestError, LarkTokenError } from "./LarkError.js"
import type { AccessTokenKind, CallOptions, HttpMethod, Operation, Payload } from "./Operation.js"
import * as Tokens from "./Tokens.js"
import * as Body from "./internal/body.js"
import {
  decodeDurationOption,
  fail,
  formatDecodeError,
  fromOutcome,
  getFailure,
  getSuccess,
  isFailure,
  mapOutcomeBoth,
  type Outcome,
  succeed
} from "./internal/dialect.js"
import { lenientEncoder } from "./internal/plainSchema.js"
import { type CallSpan, inCallSpan, send, type SendSettings, sendStreaming } from "./internal/send.js"
import { HELPDESK_HEADER } from "./internal/throughClient.js"
import * as Url from "./internal/url.js"

type Authorization =
  | { readonly _tag: "None" }
  | { readonly _tag: "Given"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Cached"; readonly kind: Tokens.CachedTokenKind; readonly tenantKey: string | undefined }

/** An explicit token always wins; otherwise the first cached kind the API accepts. */
const chooseAuthorization = (
  operation: Operation<any, any>,
  options: CallOptions
): Outcome<Authorization, LarkTokenError> => {
  if (options.userAccessToken !== undefined) return succeed({ _tag: "Given", token: Redacted.make(options.userAccessToken) })
  if (options.tenantAccessToken !== undefined) return succeed({ _tag: "Given", token: Redacted.make(options.tenantAccessToken) })
  if (operation.tokens.length === 0) return succeed({ _tag: "None" })
  const kind = operation.tokens.find((kind): kind is Tokens.CachedTokenKind => kind !== "user")
  return kind === undefined
    ? fail(new LarkTokenError({ kind: "user", detail: `${operation.id} acts as a user: pass userAccessToken in the call options` }))
    : succeed({ _tag: "Cached", kind, tenantKey: options.tenantKey })
}

const checkPayload = <P extends Payload>(operation: Operation<P, any>, payload: P): Outcome<Payload, LarkRequestError> =>
  operation.payload === undefined
    ? succeed(payload)
    : mapOutcomeBoth(lenientEncoder(operation.payload)(payload), {
      onFailure: (error) => new LarkRequestError({ operation: operation.id, detail: formatDecodeError(error) }),
      onSuccess: (encoded) => encoded as Payload
    })

/**
 * node-sdk sends a JSON body on every call (`data`, or `{}` without it), and so do we, but for a GET whose
 * API takes no body: fetch refuses a GET with a body, so only the few GET APIs that take one (`body` set) send it.
 */
const sendsBody = (operation: Operation<any, any>) => operation.method !== "GET" || operation.body !== undefined

/** The request without its Authorization header; multipart streams are read here, once, before any retry. */
const buildOutgoing = (
  config: LarkConfigService,
  operation: Operation<any, any>,
  payload: Payload,
  options: CallOptions
): Effect.Effect<Outgoing, LarkRequestError> => {
  const url = Url.build(config.domain.open, operation.path, payload)
  if (isFailure(url)) return fromOutcome(fail(new LarkRequestError({ operation: operation.id, detail: getFailure(url) })))
  const headers: Record<string, string> = { "user-agent": config.userAgent }
  if (options.helpdesk === true) {
    if (config.helpdesk._tag === "None") {
      return fromOutcome(fail(new LarkRequestError({ operation: operation.id, detail: "helpdesk credentials are not configured" })))
    }
    headers[HELPDESK_HEADER] = helpdeskAuthorization(config.helpdesk.value)
  }
  const outgoing = (body?: Body.Encoded): Outgoing => {
    if (body !== undefined) headers["content-type"] = body.contentType
    return { method: operation.method, url: getSuccess(url), headers, body: body?.body }
  }
  if (!sendsBody(operation)) return fromOutcome(succeed(outgoing()))
  if (operation.body === "multipart") {
    return Effect.mapBoth(Body.multipart(payload.data), {
      onFailure: (detail) => new LarkRequestError({ operation: operation.id, detail }),
      onSuccess: outgoing
    })
  }
  const body = Body.jsonOf(payload.data)
  return isFailure(body)
    ? fromOutcome(fail(new LarkRequestError({ operation: operation.id, detail: getFailure(body) })))
    : fromOutcome(succeed(outgoing(getSuccess(body))))
}

/** `X-Lark-Helpdesk-Authorization: Bearer base64(id:token)`, the node SDK's form. */
const helpdeskAuthorization = (helpdesk: { readonly id: string; readonly token: Redacted.Redacted<string> }) =>
  `Bearer ${Buffer.from(`${helpdesk.id}:${Redacted.value(helpdesk.token)}`).toString("base64")}`

/** The request with its token and the call's own headers (set last, names in lower case). */
const signed = (outgoing: Outgoing, token: Redacted.Redacted<string> | undefined, extra: CallOptions["headers"]): Outgoing => {
  if (token === undefined && extra === undefined) return outgoing
  const headers: Record<string, string> = { ...outgoing.headers }
  if (token !== undefined) headers.authorization = `Bearer ${Redacted.value(token)}`
  if (extra !== undefined) for (const name in extra) headers[name.toLowerCase()] = extra[name]!
  return { ...outgoing, headers }
}

const isTokenRejected = (error: LarkError) => error instanceof LarkApiError && Tokens.TOKEN_INVALID_CODES.has(error.code)

type Sender<A, R> = (
  operation: Operation<any, any>,
  outgoing: Outgoing,
  settings: SendSettings,
  span: CallSpan
) => Effect.Effect<A, LarkError, R>

/** An HTTP token (RFC 9110): what a header name may be. */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** What no header value may hold: control characters but tab (CR / LF would split the header), nor non-Latin-1. */
const unsendableInValue = /[^\t\x20-\x7e\x80-\xff]/

/** The call's own headers, checked the way HTTP stacks check them: a bad one fails the call before it is sent. */
const checkHeaders = (operation: Operation<any, any>, headers: CallOptions["headers"]): Outcome<void, LarkRequestError> => {
  for (const name in headers) {
    if (!headerName.test(name) || unsendableInValue.test(headers[name]!)) {
      return fail(new LarkRequestError({ operation: operation.id, detail: `the header ${JSON.stringify(name)} cannot be sent as given` }))
    }
  }
  return succeed(undefined)
}

/** Checks the payload and the call's headers and picks the token kind; nothing is built or sent yet. */
const check = <P extends Payload>(
  operation: Operation<P, any>,
  payload: P,
  options: CallOptions
): Outcome<{ readonly payload: Payload; readonly authorization: Authorization }, LarkRequestError | LarkTokenError> => {
  const checked = checkPayload(operation, payload)
  if (isFailure(checked)) return fail(getFailure(checked))
  const authorization = chooseAuthorization(operation, options)
  if (isFailure(authorization)) return fail(getFailure(authorization))
  const headers = checkHeaders(operation, options.headers)
  if (isFailure(headers)) return fail(getFailure(headers))
  return succeed({ payload: getSuccess(checked), authorization: getSuccess(authorization) })
}

/** Checks, builds, signs and sends, in a span named after the operation. */
const run = <P extends Payload, A, R>(
  operation: Operation<P, any>,
  payload: P,
  options: CallOptions,
  sender: Sender<A, R>
): Effect.Effect<A, LarkError, LarkConfig | HttpClient.HttpClient | R> =>
  Effect.flatMap(LarkConfig, (config) => {
    if (options.timeout === undefined) return inCallSpan(operation, (span) => sendChecked(config, operation, payload, options, config, span, sender))
    const timeout = decodeDurationOption(options.timeout)
    if (Option.isNone(timeout)) {
      const detail = `the timeout is not a duration such as "30 seconds": ${JSON.stringify(String(options.timeout))}`
      return Effect.fail(new LarkRequestError({ operation: operation.id, detail }))
    }
    const settings: SendSettings = { timeout: timeout.value, retrySchedule: config.retrySchedule, maxResponseBytes: config.maxResponseBytes }
    return inCallSpan(operation, (span) => sendChecked(config, operation, payload, options, settings, span, sender))
  })

/**
 * The call's work inside its span: check, build the request, take the token, send; a rejected token is evicted
 * and the request sent once more.
 */
const sendChecked = <P extends Payload, A, R>(
  config: LarkConfigService,
  operation: Operation<P, any>,
  payload: P,
  options: CallOptions,
  settings: SendSettings,
  span: CallSpan,
  sender: Sender<A, R>
): Effect.Effect<A, LarkError, LarkConfig | HttpClient.HttpClient | R> => {
  const checked = check(operation, payload, options)
  if (isFailure(checked)) return fromOutcome(fail(getFailure(checked)))
  const { authorization, payload: encoded } = getSuccess(checked)
  return Effect.flatMap(buildOutgoing(config, operation, encoded, options), (unsigned) => {
    const sendWith = (token: Redacted.Redacted<string> | undefined) =>
      sender(operation, signed(unsigned, token, options.headers), settings, span)
    switch (authorization._tag) {
      case "None":
        return sendWith(undefined)
      case "Given":
        return sendWith(authorization.token)
      case "Cached": {
        const { kind, tenantKey } = authorization
        const withToken = <B, R2>(f: (token: Redacted.Redacted<string>) => Effect.Effect<B, LarkError, R2>) =>
          Effect.flatMap(Tokens.tokenOf(config, kind, tenantKey), f)
        // evict only the token that was rejected (replicas rejected with the same one evict it once), then send
        // once more with the token the cache then holds or fetches (that lookup is built only then)
        return withToken((token) =>
          Effect.catchIf(
            sendWith(token),
            isTokenRejected,
            () => Effect.andThen(Tokens.invalidate(kind, tenantKey, token), withToken(sendWith))
          ))
      }
    }
  })
}

/**
 * Runs an operation: `Effect<A, LarkError, LarkConfig | HttpClient>`. Generated API functions are one call
 * to this.
 */
export const execute = <P extends Payload, A>(
  operation: Operation<P, A>,
  payload: P,
  options: CallOptions = {}
): Effect.Effect<A, LarkError, LarkConfig | HttpClient.HttpClient> => run(operation, payload, options, send<A>)

/**
 * Runs a download operation and streams the file instead of holding it in memory. The transfer belongs to
 * the enclosing `Scope`: closing it aborts the request.
 */
export const executeStream = <P extends Payload>(
  operation: Operation<P, DownloadedFile>,
  payload: P,
  options: CallOptions = {}
): Effect.Effect<FileStream<LarkError>, LarkError, LarkConfig | HttpClient.HttpClient | Scope.Scope> =>
  run(operation, payload, options, sendStreaming)

/** A call to an API that has no generated function. */
export interface RawRequest extends Payload {
  readonly method: HttpMethod
  /** `/open-apis/...` with `:name` placeholders filled from `path`, or an absolute URL. */
  readonly url: string
  /** Token kinds the API accepts, in order of preference. Default `["tenant"]`. */
  readonly tokens?: ReadonlyArray<AccessTokenKind> | undefined
  /**
   * `"multipart"` for uploads (file values in `data` become file parts). Default `"json"`: `data`, or `{}`
   * without it; a GET sends `data` when it is given, else no body.
   */
  readonly body?: "json" | "multipart" | undefined
}

/** Calls any API by method and URL; the answer is `data` of the envelope, as JSON. */
export const request = <A = unknown>(
  raw: RawRequest,
  options?: CallOptions
): Effect.Effect<A, LarkError, LarkConfig | HttpClient.HttpClient> =>
  execute<Payload, A>(
    {
      id: `${raw.method} ${raw.url}`,
      method: raw.method,
      path: raw.url,
      tokens: raw.tokens ?? ["tenant"],
      body: raw.body ?? (raw.data === undefined ? undefined : "json")
    },
    { path: raw.path, params: raw.params, data: raw.data },
    options
  )
