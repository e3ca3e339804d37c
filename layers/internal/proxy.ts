/**
 * Which proxy, if any, a request goes through: the wirings' `proxy` option read once, when the layer is
 * built. `"environment"` reads `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (lower case first, as curl and
 * undici do) through `Config`, so the current `ConfigProvider` decides where they come from; a URL sends
 * every request through that proxy. Credentials in the proxy's URL become a `Proxy-Authorization` header,
 * kept `Redacted`; the URL kept for connecting has none.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { stringVariable } from "../../src/internal/dialect.js"
import { LarkConfigError } from "../../src/LarkError.js"

/**
 * The wirings' option: `"environment"`, or the URL of an HTTP proxy (`http://user:pass@host:port`), plain or
 * `Redacted` when it holds a password.
 */
export type ProxyOption = "environment" | (string & {}) | Redacted.Redacted<string>

/** One proxy to go through. */
export interface Proxy {
  /** `http://host:port`, without credentials. */
  readonly origin: URL
  /** `Basic ...` from the URL's user and password. */
  readonly authorization: Option.Option<Redacted.Redacted<string>>
}

/** The proxy for a target URL, `undefined` to go direct. */
export type Routes = (target: URL) => Proxy | undefined

/** `text` with its %-escapes decoded; `undefined` for a malformed one (`p%ss`), where `decodeURIComponent` throws. */
const percentDecoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Parses one proxy URL; `variable` names the option or environment variable in the error. */
export const parse = (variable: string, value: string): Effect.Effect<Proxy, LarkConfigError> => {
  const href = value.includes("://") ? value : `http://${value}` // curl takes `host:port` as an HTTP proxy
  const url = URL.canParse(href) ? new URL(href) : undefined
  // the value itself is never put in the error: it may hold a password
  if (url === undefined || url.hostname === "") {
    return Effect.fail(new LarkConfigError({ variable, detail: "is not a URL (expected http://host:port)" }))
  }
  if (url.protocol !== "http:") {
    return Effect.fail(new LarkConfigError({ variable, detail: `must be an http:// proxy, not ${url.protocol}//` }))
  }
  const user = percentDecoded(url.username)
  const password = percentDecoded(url.password)
  if (user === undefined || password === undefined) {
    return Effect.fail(new LarkConfigError({ variable, detail: "has a malformed %-escape in its user or password" }))
  }
  const authorization = user === ""
    ? Option.none()
    : Option.some(Redacted.make(`Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`))
  return Effect.succeed({ origin: new URL(`http://${url.host}`), authorization })
}

interface Exception {
  /** Lower case, without a leading `.` or `*.`; IPv6 addresses in brackets, as `URL.hostname` has them. */
  readonly host: string
  /** 0 for any port. */
  readonly port: number
}

const exception = (entry: string): Exception => {
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(entry)
  if (bracketed !== null) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 0) }
  if (entry.split(":").length > 2) return { host: `[${entry}]`, port: 0 } // a bare IPv6 address
  const [, host = entry, port = "0"] = /^(.+):(\d+)$/.exec(entry) ?? []
  return { host: host.replace(/^\*?\./, ""), port: Number(port) }
}

const secure = (target: URL) => target.protocol === "https:" || target.protocol === "wss:"

const defaultPort = (target: URL) => secure(target) ? 443 : 80

/**
 * Whether `NO_PROXY` sends `target` direct: `*` for every host; otherwise a comma (or space) separated list of
 * hosts, each matching itself and its subdomains (a leading `.` or `*.` changes nothing), optionally with a
 * port. IP ranges (CIDR) are not understood.
 */
export const bypasses = (noProxy: string): (target: URL) => boolean => {
  const entries = noProxy.toLowerCase().split(/[\s,]+/).filter((entry) => entry !== "")
  if (entries.includes("*")) return () => true
  const exceptions = entries.map(exception)
  return (target) => {
    const host = target.hostname.toLowerCase()
    const port = Number(target.port) || defaultPort(target)
    return exceptions.some((e) => (e.port === 0 || e.port === port) && (host === e.host || host.endsWith(`.${e.host}`)))
  }
}

/** A variable's value, trimmed; none when unset or blank. */
const setting = (name: string) =>
  Effect.mapError(
    stringVariable(name).pipe(Config.option, Config.map(Option.filter((value) => value.trim() !== ""))),
    (error) => new LarkConfigError({ variable: name, detail: `could not be read: ${error}` })
  )

/** The first of `names` set (and not blank), with its name. */
const firstOf = (...names: ReadonlyArray<string>) =>
  Effect.map(
    Effect.forEach(names, (name) => Effect.map(setting(name), Option.map((value) => [name, value.trim()] as const))),
    Option.firstSomeOf
  )

const parseSet = (found: Option.Option<readonly [string, string]>) =>
  Option.match(found, {
    onNone: () => Effect.succeed(undefined),
    onSome: ([name, value]) => parse(name, value)
  })

/**
 * `HTTPS_PROXY` for `https:` and `wss:` targets, `HTTP_PROXY` for `http:` and `ws:` ones (neither stands in
 * for the other, as with curl), `NO_PROXY` for the hosts that go direct. `undefined` when no proxy is set.
 */
const fromEnvironment: Effect.Effect<Routes | undefined, LarkConfigError> = Effect.gen(function*() {
  const https = yield* parseSet(yield* firstOf("https_proxy", "HTTPS_PROXY"))
  const http = yield* parseSet(yield* firstOf("http_proxy", "HTTP_PROXY"))
  if (https === undefined && http === undefined) return undefined
  const direct = bypasses(Option.match(yield* firstOf("no_proxy", "NO_PROXY"), { onNone: () => "", onSome: ([, value]) => value }))
  return (target: URL) => direct(target) ? undefined : secure(target) ? https : http
})

/** The routes of a wiring's `proxy` option; `undefined` when every request goes direct. */
export const resolve = (option: ProxyOption | undefined): Effect.Effect<Routes | undefined, LarkConfigError> =>
  option === undefined
    ? Effect.succeed(undefined)
    : option === "environment"
    ? fromEnvironment
    : Effect.map(parse("proxy", Redacted.isRedacted(option) ? Redacted.value(option) : option), (proxy) => () => proxy)

/** A proxy and the caller's own agent or dispatcher: which should win is not for the SDK to guess. */
export const notBoth = (other: string) => new LarkConfigError({ variable: "proxy", detail: `give proxy or ${other}, not both` })
