/**
 * The `audit` security mode (spec B9, the Python channel's `SecurityConfig(mode="audit")`): the channel
 * behaves as in `compat`, but where `strict` would refuse something, an {@link AuditEvent} is recorded
 * (`action: "allow"`) and the thing goes ahead. Run staging in `audit`, read the events, then switch to
 * `strict`. The checks:
 *
 * - `webhook_without_encrypt_key`: a webhook channel made without an Encrypt Key (strict: `make` fails);
 * - `webhook_timestamp_outside_window`: a webhook request whose `X-Lark-Request-Timestamp` is further off
 *   than the strict replay window (5 minutes), when no `maxClockSkew` is set (strict: 401);
 * - `insecure_ws`: the long connection opens a plain `ws://` socket to a remote host (strict: refused).
 *
 * Details never hold secrets: the socket's host but not its URL (the query holds an access key), the
 * timestamp but no signature. The default recorder logs a warning; `auditRecorder` replaces it.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { type Request, signatureHeaders, timestampWindow } from "../events/webhook.js"
import { isInsecureRemote } from "../ws/endpoint.js"
import type { WebSocketFactory } from "../ws/socket.js"

export type AuditReason = "webhook_without_encrypt_key" | "webhook_timestamp_outside_window" | "insecure_ws"

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
export const auditSockets = (sockets: WebSocketFactory["Type"], record: AuditRecorder): WebSocketFactory["Type"] => ({
  open: (url) => {
    const plain = Redacted.value(url)
    return isInsecureRemote(plain) ? Effect.zipRight(record(allowed("insecure_ws", { host: hostOf(plain) })), sockets.open(url)) : sockets.open(url)
  }
})

/** Records a webhook request whose timestamp the replay window `window` would refuse. */
export const auditWebhook = (record: AuditRecorder, window: Duration.DurationInput) => {
  const inWindow = timestampWindow(window)!
  return (request: Request): Effect.Effect<void> => {
    const timestamp = signatureHeaders(request.headers).timestamp
    if (timestamp === undefined) return Effect.void
    return Effect.flatMap(inWindow(timestamp), (checked) =>
      Either.isRight(checked)
        ? Effect.void
        : record(allowed("webhook_timestamp_outside_window", { timestamp, windowSeconds: Duration.toSeconds(window) })))
  }
}
