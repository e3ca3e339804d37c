/**
 * Facts the catalog gets wrong or does not carry, by API id. The generator applies them; generated files are
 * never edited by hand.
 */

/** The token endpoints answer flat (`{code, msg, tenant_access_token, expire}`), not under `data`. */
export const flatResult: ReadonlySet<string> = new Set([
  "auth.v3.app_access_token.create",
  "auth.v3.app_access_token.internal",
  "auth.v3.app_ticket.resend",
  "auth.v3.tenant_access_token.create",
  "auth.v3.tenant_access_token.internal"
])
