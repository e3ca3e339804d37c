/**
 * Transport hardening (spec B9, the Python channel's `SecurityConfig`): `security: "strict"` (or a
 * `SecurityConfig` with `mode: "strict"`) turns on, at once:
 *
 * - webhook: an Encrypt Key is required, so every event must carry a valid signature (`handle` refuses
 *   unsigned events once a key is configured); without one `Channel.make` fails with a `ChannelConfigError`;
 * - webhook: the replay window (`maxClockSkew`, default here 5 minutes): a signed request whose timestamp
 *   is further off than that is refused;
 * - long connection: a plain `ws://` socket URL to a remote host is refused (loopback stays allowed, for
 *   tests and local fakes), unless `allowInsecureWs`;
 * - long connection: caps on reassembled fragments (128 parts, 8 MiB per message) and on handlers running
 *   at once (256).
 *
 * The limits may also be set one by one in any mode; in strict mode a limit given explicitly replaces the
 * strict default. A limit never loosens a tighter `longConnection` setting: the smaller value wins.
 * `security: "audit"` keeps `compat` behaviour and records what `strict` would refuse (`audit.ts`), the
 * long-connection limits included: those strict would set tighter than the ones in force are watched.
 * Allowlists, mention gating and rate limits are not security settings: see `PolicyConfig`.
 */
import * as Duration from "effect/Duration"
import { configuredSecret, type Secret } from "../events/crypto.js"
import { type DurationInput, fail, type Outcome, succeed } from "../internal/dialect.js"
import type * as LongConnection from "../ws/LongConnection.js"
import { defaultLimits } from "../ws/fragments.js"
import { allowed, type AuditEvent, type AuditRecorder, logAudit } from "./audit.js"
import { ChannelConfigError } from "./errors.js"

export type SecurityMode = "compat" | "audit" | "strict"

export interface SecurityConfig {
  /**
   * `compat` (the default): only the limits set here apply. `audit`: as `compat`, but what `strict` would
   * refuse is recorded (`audit.ts`) and allowed. `strict`: everything in the module comment.
   */
  readonly mode: SecurityMode
  /** Audit mode: receives every audit event (default: a warning in the log). */
  readonly auditRecorder?: AuditRecorder | undefined
  /** Strict mode: accept a plain `ws://` URL to a remote host anyway. Default false. */
  readonly allowInsecureWs?: boolean | undefined
  /** Most parts of one fragmented long-connection message (strict default 128). */
  readonly maxFragmentParts?: number | undefined
  /** Most bytes of one fragmented long-connection message (strict default 8 MiB). */
  readonly maxFragmentBytes?: number | undefined
  /** Most long-connection handlers running at once; further messages wait unacknowledged (strict default 256). */
  readonly maxConcurrentHandlers?: number | undefined
  /** The webhook replay window (strict default 5 minutes); `ChannelOptions.maxClockSkew` takes precedence. */
  readonly maxClockSkew?: DurationInput | undefined
}

export const strictDefaults = {
  maxFragmentParts: 128,
  maxFragmentBytes: 8 * 1024 * 1024,
  maxConcurrentHandlers: 256,
  maxClockSkew: Duration.minutes(5)
} as const

/** What the channel was asked for, as far as security is concerned. */
export interface SecurityInput {
  readonly transport: "ws" | "webhook"
  readonly security?: SecurityMode | SecurityConfig | undefined
  readonly encryptKey?: Secret | undefined
  readonly maxClockSkew?: DurationInput | undefined
  readonly longConnection?: LongConnection.Options | undefined
}

/** The settings the channel runs with. */
export interface Hardened {
  readonly strict: boolean
  /**
   * Audit mode only: the recorder, what was found in the options already, and the long-connection limits
   * strict would set that are tighter than the ones in force (watched, not enforced: see `audit.ts`).
   */
  readonly audit: {
    readonly record: AuditRecorder
    readonly found: ReadonlyArray<AuditEvent>
    readonly watched: WatchedLimits
  } | undefined
  readonly maxClockSkew: DurationInput | undefined
  /** The long-connection options with the limits applied (`concurrency` filled in from `defaultConcurrency`). */
  readonly longConnection: LongConnection.Options
}

/** Long-connection limits recorded when crossed, not enforced (each `undefined` when not watched). */
export interface WatchedLimits {
  readonly maxParts: number | undefined
  readonly maxBytes: number | undefined
  readonly concurrency: number | undefined
}

const smaller = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b)

const positiveInteger = (name: string, value: number | undefined): string | undefined =>
  value === undefined || (Number.isInteger(value) && value > 0) ? undefined : `security.${name} must be a whole number > 0`

/** Resolves the security settings, or says why they cannot be used. Pure. */
export const harden = (input: SecurityInput, defaultConcurrency: number): Outcome<Hardened, ChannelConfigError> => {
  const config: SecurityConfig = typeof input.security === "string" ? { mode: input.security } : input.security ?? { mode: "compat" }
  const strict = config.mode === "strict"
  const refuse = (detail: string) => fail(new ChannelConfigError({ detail }))
  if (config.mode !== "strict" && config.mode !== "compat" && config.mode !== "audit") {
    return refuse(`security.mode must be "compat", "audit" or "strict"`)
  }
  const problem = positiveInteger("maxFragmentParts", config.maxFragmentParts) ??
    positiveInteger("maxFragmentBytes", config.maxFragmentBytes) ??
    positiveInteger("maxConcurrentHandlers", config.maxConcurrentHandlers)
  if (problem !== undefined) return refuse(problem)
  // an empty key is none, as the dispatcher reads it
  const unsignedWebhook = input.transport === "webhook" && configuredSecret(input.encryptKey) === undefined
  if (strict && unsignedWebhook) {
    return refuse("strict security needs an Encrypt Key for the webhook transport (encryptKey), so that every event is signed")
  }

  type LimitKey = "maxFragmentParts" | "maxFragmentBytes" | "maxConcurrentHandlers"
  const base = input.longConnection ?? {}
  // each limit as the long-connection options (or their defaults) set it, before security applies
  const unsecured: Record<LimitKey, number | undefined> = {
    maxFragmentParts: base.fragments?.maxParts ?? defaultLimits.maxParts,
    maxFragmentBytes: base.fragments?.maxBytes ?? defaultLimits.maxBytes,
    maxConcurrentHandlers: base.concurrency ?? defaultConcurrency
  }
  const underMode = (key: LimitKey, isStrict: boolean) =>
    smaller(unsecured[key], config[key] ?? (isStrict ? strictDefaults[key] : undefined))
  // audit: what strict would enforce where it is tighter than what is in force (a limit set explicitly
  // in `security` is enforced in every mode, so strict would enforce the same one: nothing to watch)
  const watched = (key: LimitKey) => {
    const strictValue = underMode(key, true)
    const inForce = underMode(key, strict)
    return strictValue !== undefined && (inForce === undefined || strictValue < inForce) ? strictValue : undefined
  }
  const maxParts = underMode("maxFragmentParts", strict)
  const maxBytes = underMode("maxFragmentBytes", strict)
  const concurrency = underMode("maxConcurrentHandlers", strict)
  return succeed({
    strict,
    audit: config.mode === "audit"
      ? {
        record: config.auditRecorder ?? logAudit,
        found: unsignedWebhook ? [allowed("webhook_without_encrypt_key")] : [],
        watched: {
          maxParts: watched("maxFragmentParts"),
          maxBytes: watched("maxFragmentBytes"),
          concurrency: watched("maxConcurrentHandlers")
        }
      }
      : undefined,
    maxClockSkew: input.maxClockSkew ?? config.maxClockSkew ?? (strict ? strictDefaults.maxClockSkew : undefined),
    longConnection: {
      ...base,
      concurrency,
      fragments: { ...base.fragments, maxParts, maxBytes },
      requireTls: base.requireTls === true || (strict && config.allowInsecureWs !== true)
    }
  })
}
