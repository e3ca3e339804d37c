/**
 * `Operation`: the description of one server API that the request executor runs.
 *
 * The code generator emits one per API (and hand-written modules declare their own). It is plain data plus
 * schemas, so it can live at module level with no cost until it is called.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type { LarkConfig } from "./LarkConfig.js"
import type { LarkError } from "./LarkError.js"
import type { DurationInput, SchemaOf } from "./internal/dialect.js"

export type AccessTokenKind = "tenant" | "app" | "user"

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** The node-sdk payload shape: path parameters, query parameters, body. */
export interface Payload {
  readonly path?: Readonly<Record<string, string | number>> | undefined
  readonly params?: Readonly<Record<string, QueryValue>> | undefined
  readonly data?: unknown
}

export type QueryScalar = string | number | boolean
export type QueryValue = QueryScalar | ReadonlyArray<QueryScalar> | null | undefined

export interface Operation<P extends Payload, A> {
  /** `service.version.resource.method`, e.g. `im.v1.message.create`; also the span name. */
  readonly id: string
  readonly method: HttpMethod
  /** Relative to the domain (`/open-apis/...`, `:name` placeholders) or an absolute URL. */
  readonly path: string
  /** Token kinds the API accepts, in order of preference; empty: send no token. */
  readonly tokens: ReadonlyArray<AccessTokenKind>
  /** Checks (and encodes) the payload before anything is sent. */
  readonly payload?: SchemaOf<P> | undefined
  /**
   * How the body goes out. Default: JSON on every method but GET (`data`, or `{}` without it, as node-sdk
   * sends), none on GET. Set it on a GET API that takes a body: a GET with a body cannot go through `fetch`.
   */
  readonly body?: "json" | "multipart" | undefined
  /**
   * Where the result is: `"data"` (default) decodes `data` of `{code, msg, data}`; `"flat"` decodes the
   * whole body (the token endpoints answer flat); `"binary"` returns a file (download APIs).
   */
  readonly result?: "data" | "flat" | "binary" | undefined
  /** The decoded success value. Lenient: unknown fields are kept. Absent: the raw JSON value. */
  readonly response?: SchemaOf<A> | undefined
  /** True when sending it twice does no harm beyond sending it once: then 5xx and timeouts are retried. */
  readonly idempotent?: boolean | undefined
  /**
   * True when the answer holds secrets (the token endpoints): the call's span never sees the value, and the
   * body of an answer that fails to decode is kept with its strings masked.
   */
  readonly secretAnswer?: boolean | undefined
}

/** Per-call options: the second argument of every API function. */
export interface CallOptions {
  /** Act as this user: always wins over any other token. */
  readonly userAccessToken?: string | undefined
  /** Use this tenant token instead of the cached one. */
  readonly tenantAccessToken?: string | undefined
  /** The tenant a marketplace app acts for. */
  readonly tenantKey?: string | undefined
  /** Send `X-Lark-Helpdesk-Authorization` built from the configured helpdesk credentials. */
  readonly helpdesk?: boolean | undefined
  /** Extra headers, set last. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Timeout of one attempt for this call. */
  readonly timeout?: DurationInput | undefined
}

/** Whether sending the operation again is harmless: GET, or an API marked idempotent. */
export const isIdempotent = (operation: Operation<any, any>): boolean =>
  operation.method === "GET" || operation.idempotent === true

/** What every API function returns. */
export type ApiCall<A, R = never> = Effect.Effect<A, LarkError, LarkConfig | HttpClient.HttpClient | R>
