/**
 * Endpoint discovery: `POST {domain}/callback/ws/endpoint` with the app's credentials answers the socket URL
 * of one connection and the server's client settings (ping interval, reconnect policy). A fresh URL is
 * fetched for every connection attempt.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { decodeDuration, type DurationInput, timeoutFail, withoutTracerPropagation } from "../internal/dialect.js"
import { readText } from "../internal/throughClient.js"
import { LarkConfig, type Service as LarkConfigService } from "../LarkConfig.js"
import { LongConnectionConfigError, LongConnectionEndpointError, LongConnectionTransportError } from "./errors.js"

/** The server's client settings, all in seconds (as the server sends them). */
export interface ClientConfig {
  /** Reconnect attempts after a drop; negative means forever. */
  readonly reconnectCount: number
  /** Seconds between reconnect attempts after the first. */
  readonly reconnectInterval: number
  /** The first reconnect attempt waits a random time below this many seconds. */
  readonly reconnectNonce: number
  /** Seconds between pings. */
  readonly pingInterval: number
}

/** Used until the server sends its own. */
export const defaultClientConfig: ClientConfig = {
  reconnectCount: -1,
  reconnectInterval: 120,
  reconnectNonce: 30,
  pingInterval: 120
}

const finite = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)

/**
 * The longest wait a server setting may ask for: an hour. A timer longer than about 24.8 days never fires, so
 * a larger value would stop pings (and the check for a dead connection) or reconnects for good.
 */
export const MAX_INTERVAL_SECONDS = 3600

/** A server's number of seconds, within `[0, MAX_INTERVAL_SECONDS]`; `fallback` when it is not a number. */
const seconds = (u: unknown, fallback: number): number =>
  finite(u) ? Math.min(Math.max(u, 0), MAX_INTERVAL_SECONDS) : fallback

/** `base` updated with the fields of a server `ClientConfig` object that are numbers; others are kept. */
export const mergeClientConfig = (base: ClientConfig, raw: unknown): ClientConfig => {
  if (typeof raw !== "object" || raw === null) return base
  const r = raw as Record<string, unknown>
  return {
    reconnectCount: finite(r.ReconnectCount) ? r.ReconnectCount : base.reconnectCount,
    reconnectInterval: seconds(r.ReconnectInterval, base.reconnectInterval),
    reconnectNonce: seconds(r.ReconnectNonce, base.reconnectNonce),
    pingInterval: seconds(r.PingInterval, base.pingInterval)
  }
}

export interface Endpoint {
  /** The socket URL. Its query holds an access key and a ticket: never log it. */
  readonly url: Redacted.Redacted<string>
  /** `service_id` of the URL, copied into every ping. */
  readonly serviceId: number
  /** `device_id` of the URL: names the connection in logs. */
  readonly connectionId: string | undefined
  readonly clientConfig: ClientConfig
}

export const ENDPOINT_PATH = "/callback/ws/endpoint"

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"])

/** True for a plain `ws://` URL to a host that is not this machine (127.0.0.0/8, `::1`, `localhost`). */
export const isInsecureRemote = (url: string): boolean => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return true
  }
  if (parsed.protocol === "wss:") return false
  const host = parsed.hostname.toLowerCase()
  return !(LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host))
}

const transport = (reason: LongConnectionTransportError["reason"], detail: string) =>
  new LongConnectionTransportError({ stage: "endpoint", reason, detail })

/** Reads the answer's `{code, msg, data: {URL, ClientConfig}}`. */
export const parseAnswer = (
  text: string,
  base: ClientConfig
): Effect.Effect<Endpoint, LongConnectionEndpointError | LongConnectionTransportError> => {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return Effect.fail(transport("Decode", "the answer is not JSON"))
  }
  if (typeof body !== "object" || body === null) return Effect.fail(transport("Decode", "the answer is not a JSON object"))
  const { code, data, msg } = body as Record<string, unknown>
  if (!finite(code)) return Effect.fail(transport("Decode", "the answer has no numeric code"))
  if (code !== 0) return Effect.fail(new LongConnectionEndpointError({ code, msg: typeof msg === "string" ? msg : "" }))
  const fields = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {}
  const raw = fields.URL
  let url: URL
  try {
    url = new URL(typeof raw === "string" ? raw : "")
  } catch {
    return Effect.fail(transport("Decode", "the answer has no valid data.URL"))
  }
  // a WebSocket client takes other schemes (ws+unix: would reach a local socket) or throws (a fragment)
  if ((url.protocol !== "wss:" && url.protocol !== "ws:") || url.hash !== "") {
    return Effect.fail(transport("Decode", "the answer's data.URL is not a ws: or wss: URL without a fragment"))
  }
  const serviceId = Number(url.searchParams.get("service_id") ?? "0")
  return Effect.succeed({
    url: Redacted.make(url.toString()),
    serviceId: Number.isInteger(serviceId) ? serviceId | 0 : 0,
    connectionId: url.searchParams.get("device_id") ?? undefined,
    clientConfig: mergeClientConfig(base, fields.ClientConfig)
  })
}

/**
 * The endpoint body's credentials: a keyless app's client assertion (bound to the OpenAPI host, with an empty
 * AppSecret) when a signer is configured, as for its tokens; else the App Secret.
 */
const credentials = (config: LarkConfigService): Effect.Effect<Record<string, string>, LongConnectionConfigError> =>
  Option.match(config.clientAssertion, {
    onSome: (sign) =>
      Effect.mapBoth(sign(new URL(config.domain.open).host), {
        onFailure: (cause) =>
          new LongConnectionConfigError({
            detail: `the client assertion signer failed: ${cause instanceof Error ? cause.message : String(cause)}`
          }),
        onSuccess: (assertion) => ({ AppID: config.appId, AppSecret: "", ClientAssertion: Redacted.value(assertion) })
      }),
    onNone: () =>
      Option.match(config.appSecret, {
        onNone: () => Effect.fail(new LongConnectionConfigError({ detail: "the long connection needs the app secret or a client assertion signer" })),
        onSome: (secret) => Effect.succeed({ AppID: config.appId, AppSecret: Redacted.value(secret) })
      })
  })

/**
 * Asks for a socket URL. `base` fills the settings the server leaves out. Fails with a
 * `LongConnectionEndpointError` on a non-zero code, a `LongConnectionTransportError` when the server could
 * not be reached or answered something else (a non-200 status counts as "busy": retryable).
 */
export const fetchEndpoint = (
  base: ClientConfig,
  timeout: DurationInput
): Effect.Effect<
  Endpoint,
  LongConnectionEndpointError | LongConnectionTransportError | LongConnectionConfigError,
  LarkConfig | HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const config = yield* LarkConfig
    const client = withoutTracerPropagation(yield* HttpClient.HttpClient)
    const request = HttpClientRequest.post(`${config.domain.open}${ENDPOINT_PATH}`).pipe(
      HttpClientRequest.setHeaders({ locale: "zh", "user-agent": config.userAgent }),
      HttpClientRequest.bodyText(JSON.stringify(yield* credentials(config)), "application/json")
    )
    const network = (error: { readonly message: string }) => transport("Network", error.message)
    const text = yield* client.execute(request).pipe(
      Effect.mapError(network),
      Effect.flatMap((response) => {
        const body = Effect.mapError(readText(response, config.maxResponseBytes), (error) => transport("Network", error.detail))
        return response.status === 200
          ? body
          : Effect.andThen(Effect.ignore(body), Effect.fail(transport("Status", `HTTP ${response.status}`)))
      }),
      timeoutFail({
        duration: timeout,
        onTimeout: () => transport("Timeout", `no answer within ${Duration.format(decodeDuration(timeout))}`)
      })
    )
    return yield* parseAnswer(text, base)
  })
