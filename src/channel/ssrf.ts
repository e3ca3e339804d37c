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

/** The four octets of an IPv4 address carried in two 16-bit groups of an IPv6 one. */
const embeddedIpv4 = (hi: number, lo: number): ReadonlyArray<number> => [hi >> 8, hi & 255, lo >> 8, lo & 255]

/**
 * The eight 16-bit groups of an IPv6 address in any spelling (`::` expanded, a trailing dotted quad folded
 * into the last two groups, a `%zone` ignored); `undefined` when it is not one.
 */
const ipv6Groups = (host: string): ReadonlyArray<number> | undefined => {
  let text = host.split("%")[0]!
  const lastColon = text.lastIndexOf(":")
  const quad = ipv4Parts(text.slice(lastColon + 1))
  if (quad !== undefined) {
    const [a, b, c, d] = quad as [number, number, number, number]
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const groupsOf = (part: string) => part === "" ? [] : part.split(":")
  const head = groupsOf(halves[0]!)
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail]
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => parseInt(g, 16)) : undefined
}

/**
 * Whether an IPv6 address is internal. The prefixes that carry an IPv4 address and deliver to it (mapped,
 * SIIT, NAT64, 6to4) are judged by that IPv4 address, or `64:ff9b::a9fe:a9fe` would reach the cloud metadata
 * service past the IPv4 rules.
 */
const internalIpv6 = (g: ReadonlyArray<number>): boolean => {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  const lastIpv4 = () => internalIpv4(embeddedIpv4(g[6]!, g[7]!))
  // ::/96: unspecified, loopback, and the deprecated IPv4-compatible form, which no public host uses
  if (zero(0, 6)) return true
  if (zero(0, 5) && g[5] === 0xffff) return lastIpv4() // ::ffff:0:0/96, IPv4-mapped
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return lastIpv4() // ::ffff:0:0:0/96, SIIT-translated
  // 64:ff9b::/96 is the well-known NAT64 prefix; the rest of 64:ff9b::/32 is local-use NAT64
  // (64:ff9b:1::/48, a private translator) or unassigned
  if (g[0] === 0x64 && g[1] === 0xff9b) return zero(2, 6) ? lastIpv4() : true
  if (g[0] === 0x2002) return internalIpv4(embeddedIpv4(g[1]!, g[2]!)) // 6to4: 2002:AABB:CCDD::/48
  // 2001::/32, Teredo: a tunnel to the (obfuscated) IPv4 address of a host behind NAT, which may be an
  // internal one; retired, so no media host is reached through it
  if (g[0] === 0x2001 && g[1] === 0) return true
  const first = g[0]!
  return (first & 0xfe00) === 0xfc00 || // fc00::/7, unique-local
    (first & 0xff80) === 0xfe80 || // fe80::/10 link-local and fec0::/10 site-local (deprecated, still private)
    (first & 0xff00) === 0xff00 // multicast
}

/**
 * True for loopback, private, link-local, unique-local, site-local, unspecified, multicast and Teredo
 * addresses, and for IPv6 addresses that embed an internal IPv4 one. Anything with a `:` that does not parse as IPv6 is
 * treated as internal: a guard should refuse what it cannot read.
 */
export const isInternalAddress = (address: string): boolean => {
  const host = address.replace(/^\[|\]$/g, "").toLowerCase()
  const v4 = ipv4Parts(host)
  if (v4 !== undefined) return internalIpv4(v4)
  if (!host.includes(":")) return false
  const v6 = ipv6Groups(host)
  return v6 === undefined || internalIpv6(v6)
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
