/**
 * The guard for media given as a URL: the channel downloads it on the caller's behalf, so an unchecked URL
 * would let message content reach internal services (SSRF). Refused unless every rule passes:
 *
 * - `http:` or `https:` only, no user info in the URL;
 * - the host is on the allowlist (exact host, or `*.example.com` for its subdomains); an empty allowlist
 *   refuses every URL, which is the default;
 * - a host that is a private, loopback, link-local or otherwise internal IP literal is refused unless the
 *   allowlist names that exact address.
 *
 * A host name is checked here as written. The addresses it resolves to are checked when the socket
 * connects ({@link admitsAddress}, used by `mediaLookup.ts`), and redirects are checked hop by hop
 * (`readMedia.ts`).
 */
import { fail, type Outcome, succeed } from "../internal/dialect.js"
import { ChannelSendError } from "./errors.js"

const refuse = (detail: string) => fail(new ChannelSendError({ code: "ssrf_blocked", detail }))

const ipv4Parts = (host: string): ReadonlyArray<number> | undefined => {
  const parts = host.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined
  const nums = parts.map(Number)
  return nums.every((n) => n <= 255) ? nums : undefined
}

const internalIpv4 = ([a, b]: ReadonlyArray<number>): boolean =>
  a === 0 || a === 10 || a === 127 ||
  (a === 100 && b! >= 64 && b! <= 127) || // carrier-grade NAT
  (a === 169 && b === 254) || // link-local, cloud metadata
  (a === 172 && b! >= 16 && b! <= 31) ||
  (a === 192 && b === 168) ||
  (a === 198 && (b === 18 || b === 19)) || // benchmarking
  a! >= 224 // multicast and reserved

/** True for loopback, private, link-local, unique-local, unspecified and mapped-internal addresses. */
export const isInternalAddress = (address: string): boolean => {
  const host = address.replace(/^\[|\]$/g, "").toLowerCase()
  const v4 = ipv4Parts(host)
  if (v4 !== undefined) return internalIpv4(v4)
  if (!host.includes(":")) return false
  if (host === "::" || host === "::1") return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)
  if (mapped !== null) return isInternalAddress(mapped[1]!)
  // ::ffff:7f00:1 is how URL parsing writes a mapped IPv4 address.
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)
  if (mappedHex !== null) {
    const hi = parseInt(mappedHex[1]!, 16)
    const lo = parseInt(mappedHex[2]!, 16)
    return internalIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255])
  }
  return /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || /^ff/.test(host)
}

const isIpLiteral = (host: string): boolean => host.startsWith("[") || ipv4Parts(host) !== undefined

/** An IP address as URL parsing writes it (`10.0.0.7`, `[::1]`), so that any spelling compares equal. */
const canonicalIp = (address: string): string | undefined => {
  const bare = address.replace(/^\[|\]$/g, "")
  try {
    const host = new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`).hostname
    return isIpLiteral(host) ? host : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether a connection to a media host may use `address`, one its name resolved to: a public address, or an
 * internal one that the allowlist names exactly (the same opt-in as for an internal IP in the URL itself).
 */
export const admitsAddress = (allowlist: ReadonlyArray<string>): (address: string) => boolean => {
  const named = new Set(allowlist.flatMap((entry) => canonicalIp(entry.trim()) ?? []))
  return (address) => {
    const ip = canonicalIp(address)
    return ip !== undefined && (!isInternalAddress(ip) || named.has(ip))
  }
}

const allowedBy = (host: string, entry: string): boolean => {
  const rule = entry.trim().toLowerCase()
  if (rule.startsWith("*.")) return !isIpLiteral(host) && host.endsWith(rule.slice(1)) && host.length > rule.length - 1
  return host === rule || host === `[${rule.replace(/^\[|\]$/g, "")}]`
}

/** Checks a media URL against `allowlist` (see the module comment); the parsed URL when admitted. */
export const checkMediaUrl = (raw: string, allowlist: ReadonlyArray<string>): Outcome<URL, ChannelSendError> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return refuse("not a valid URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse(`scheme ${url.protocol} is not allowed`)
  if (url.username !== "" || url.password !== "") return refuse("URLs with credentials are not allowed")
  const host = url.hostname.toLowerCase()
  if (allowlist.length === 0) return refuse("media URLs are refused without an allowlist")
  const exact = allowlist.some((entry) => !entry.trim().startsWith("*.") && allowedBy(host, entry))
  if (isIpLiteral(host) && isInternalAddress(host) && !exact) return refuse(`host ${host} is an internal address`)
  if (!allowlist.some((entry) => allowedBy(host, entry))) return refuse(`host ${host} is not on the allowlist`)
  return succeed(url)
}
