/**
 * What `registerApp` emits: the QR code once, status changes while the user decides, then the new app.
 */
import * as Data from "effect/Data"
import type * as Redacted from "effect/Redacted"

/** Who scanned, as the accounts server reports it; `tenant_brand` tells which OpenAPI domain the app lives on. */
export interface UserInfo {
  readonly open_id?: string
  readonly tenant_brand?: "feishu" | "lark" | (string & {})
}

/** The created (or updated) app's credentials. */
export interface RegisteredApp {
  /** The App ID (`cli_...`). */
  readonly clientId: string
  /** The App Secret. */
  readonly clientSecret: Redacted.Redacted<string>
  readonly userInfo?: UserInfo
}

/**
 * - `polling`: the user has not finished yet; the next poll follows after the current interval.
 * - `slow_down`: the server asked for slower polling; `interval` is the new one, in seconds.
 * - `domain_switched`: the user belongs to a Lark tenant; polling moved to the Lark accounts host (once).
 */
export type StatusKind = "polling" | "slow_down" | "domain_switched"

export type RegistrationEvent = Data.TaggedEnum<{
  /** Show `url` as a QR code (or a link); it is valid for `expireIn` seconds. */
  QrCode: { readonly url: string; readonly expireIn: number }
  /** `interval` (seconds) is set for `slow_down` only. */
  Status: { readonly status: StatusKind; readonly interval?: number }
  /** The last event: the user confirmed and the app exists. */
  Done: RegisteredApp
}>

export const RegistrationEvent = Data.taggedEnum<RegistrationEvent>()
