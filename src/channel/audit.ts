/**
 * The `audit` security mode (spec B9, the Python channel's `SecurityConfig(mode="audit")`): the channel
 * behaves as in `compat`, but where `strict` would refuse something, an {@link AuditEvent} is recorded
 * (`action: "allow"`) and the thing goes ahead. Run staging in `audit`, read the events, then switch to
 * `strict`. The checks:
 *
 * - `webhook_without_encrypt_key`: a webhook channel made without an Encrypt Key (strict: `make` fails);
 * - `webhook_timestamp_outside_window`: a webhook request whose `X-Lark-Request-Timestamp` is further off
 *   than the strict replay window (5 minutes), when no `maxClockSkew` is set (strict: 401);
 * - `insecure_ws`: the long connection opens a plain `ws://` socket to a remote host (strict: refused);
 * - `ws_fragment_parts_over_limit`, `ws_fragment_bytes_over_limit`: a long-connection message in parts
 *   had more parts (strict: 128) or more bytes (strict: 8 MiB) than strict allows; recorded once per
 *   message, when it is complete (strict: its parts are dropped);
 * - `ws_concurrent_handlers_over_limit`: more long-connection messages in flight than strict's handler
 *   concurrency (256); recorded when the count goes over it, and again only after it has dropped back to
 *   it (strict: the message waits, unacknowledged).
 *
 * The long-connection limits are watched only where strict's value is tighter than the one in force: one
 * set explicitly in `security` (`maxFragmentParts`, ...) is enforced in every mode, so not recorded.
 *
 * Details never hold secrets: the socket's host but not its URL (the query holds an access key), the
 * timestamp but no signature. The default recorder logs a warning; `auditRecorder` replaces it.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type Request, signatureHeaders, timestampWindow } from "../events/webhook.js"
import { type DurationInput, isFailure } from "../internal/dialect.js"
import { isInsecureRemote } from "../ws/endpoint.js"
import type { WebSocketFactory } from "../ws/socket.js"
import type { Crossing, Watch } from "../ws/watch.js"
import type { WatchedLimits } from "./security.js"

export type AuditReason =
  | "webhook_without_encrypt_key"
  | "webhook_timestamp_outside_window"
  | "insecure_ws"
  | "ws_fragment_parts_over_limit"
  | "ws_fragment_bytes_over_limit"
  | "ws_concurrent_handlers_over_limit"

export interface AuditEvent {
  readonly reason: AuditReason
  readonly mode: "audit"
  /** What the channel did: audit mode always lets it through. */
  readonly action: "allow"
  /** What was seen, without secrets. */
  readonly details: Readonly<Record<string, string | number>>
}

/** Receives every audit event (audit mode only). */
export type AuditRecorder = (event: AuditEvent) => Effect.Effect<void>

/** The default recorder: a warning in the log, with the details as annotations. */
export const logAudit: AuditRecorder = (event) =>
  Effect.logWarning(`lark channel: security audit: ${event.reason} (allowed; strict mode would refuse it)`).pipe(
    Effect.annotateLogs({ ...event.details, auditReason: event.reason, auditAction: event.action })
  )

export const allowed = (reason: AuditReason, details: AuditEvent["details"] = {}): AuditEvent => ({
  reason,
  mode: "audit",
  action: "allow",
  details
})

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "(not a URL)"
  }
}

/** The socket factory, recording every plain `ws://` socket it opens to a remote host. */
export const auditSockets = (sockets: (typeof WebSocketFactory)["Service"], record: AuditRecorder): (typeof WebSocketFactory)["Service"] => ({
  open: (url) => {
    const plain = Redacted.value(url)
    return isInsecureRemote(plain) ? Effect.andThen(record(allowed("insecure_ws", { host: hostOf(plain) })), sockets.open(url)) : sockets.open(url)
  }
})

/** Records a webhook request whose timestamp the replay window `window` would refuse. */
export const auditWebhook = (record: AuditRecorder, window: DurationInput) => {
  const inWindow = timestampWindow(window)!
  return (request: Request): Effect.Effect<void> => {
    const timestamp = signatureHeaders(request.headers).timestamp
    if (timestamp === undefined) return Effect.void
    return Effect.flatMap(inWindow(timestamp), (checked) =>
      isFailure(checked)
        ? record(allowed("webhook_timestamp_outside_window", { timestamp, windowSeconds: Duration.toSeconds(window) }))
        : Effect.void)
  }
}

const crossingEvent = (crossing: Crossing): AuditEvent => {
  const message: AuditEvent["details"] = crossing._tag === "Concurrency" || crossing.messageId === undefined
    ? {}
    : { messageId: crossing.messageId }
  switch (crossing._tag) {
    case "FragmentParts":
      return allowed("ws_fragment_parts_over_limit", { parts: crossing.parts, limit: crossing.limit, ...message })
    case "FragmentBytes":
      return allowed("ws_fragment_bytes_over_limit", { bytes: crossing.bytes, limit: crossing.limit, ...message })
    case "Concurrency":
      return allowed("ws_concurrent_handlers_over_limit", { inFlight: crossing.inFlight, limit: crossing.limit })
  }
}

/** What the long connection watches for the audit (`undefined` when nothing is). */
export const auditLongConnection = (record: AuditRecorder, watched: WatchedLimits): Watch | undefined =>
  watched.maxParts === undefined && watched.maxBytes === undefined && watched.concurrency === undefined
    ? undefined
    : { ...watched, crossed: (crossing) => record(crossingEvent(crossing)) }
