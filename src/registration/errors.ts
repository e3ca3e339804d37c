/**
 * Errors of the registration device flow (`registerApp`).
 *
 * None of them carries the app secret: a successful answer is never turned into an error.
 */
import * as Schema from "effect/Schema"
import type { LarkDecodeError, LarkHttpError } from "../LarkError.js"

/** The user refused the authorization on the confirm page (`access_denied`). */
export class RegistrationDenied extends Schema.TaggedError<RegistrationDenied>()("RegistrationDenied", {
  description: Schema.String
}) {
  override get message() {
    return `app registration was denied by the user${this.description ? `: ${this.description}` : ""}`
  }
}

/** The QR code expired before the user finished (`expired_token`, or the `expires_in` deadline passed). */
export class RegistrationExpired extends Schema.TaggedError<RegistrationExpired>()("RegistrationExpired", {
  description: Schema.String
}) {
  override get message() {
    return `app registration expired${this.description ? `: ${this.description}` : ""}`
  }
}

/** Any other error the accounts server answered with (`error` / `error_description`). */
export class RegistrationError extends Schema.TaggedError<RegistrationError>()("RegistrationError", {
  code: Schema.String,
  description: Schema.String
}) {
  override get message() {
    return `app registration failed: ${this.code}${this.description ? `: ${this.description}` : ""}`
  }
}

/** The options were rejected before any request was sent; `option` names the offending one (e.g. `addons.scopes.user[1]`). */
export class RegistrationOptionsError extends Schema.TaggedError<RegistrationOptionsError>()("RegistrationOptionsError", {
  option: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `invalid registration option ${this.option}: ${this.detail}`
  }
}

/** Everything `registerApp` can fail with: the protocol outcomes above, plus transport and decode failures. */
export type RegistrationFailure =
  | RegistrationDenied
  | RegistrationExpired
  | RegistrationError
  | RegistrationOptionsError
  | LarkHttpError
  | LarkDecodeError
