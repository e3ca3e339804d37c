/**
 * The URL the user scans: the server's `verification_uri_complete`, its own query kept, plus our
 * parameters. Values go in raw; `URLSearchParams` encodes them (a space becomes `+`, `{user}` `%7Buser%7D`).
 * `{user}` itself is left for the page to replace.
 */
import type { QrParams } from "./options.js"

export const buildQrUrl = (verificationUriComplete: string, qr: QrParams): string => {
  const url = new URL(verificationUriComplete)
  const query = url.searchParams
  query.set("from", "sdk")
  query.set("tp", "sdk")
  query.set("source", qr.source)
  if (qr.avatars.length > 0) {
    query.delete("avatar")
    // repeated, in order: the first is the page's default choice
    for (const avatar of qr.avatars) query.append("avatar", avatar)
  }
  if (qr.name !== undefined) query.set("name", qr.name)
  if (qr.desc !== undefined) query.set("desc", qr.desc)
  if (qr.addons !== undefined) query.set("addons", qr.addons)
  // the page honours only the literal `true`
  if (qr.createOnly) query.set("createOnly", "true")
  if (qr.appId !== undefined) query.set("clientID", qr.appId)
  return url.toString()
}
