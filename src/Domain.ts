/**
 * Where the platform lives: the OpenAPI base URL and the OAuth ("accounts") base URL.
 */
import { fail, type Outcome, succeed } from "./internal/dialect.js"
export interface Domain {
  /** Base of every `/open-apis/...` call, without a trailing slash. */
  readonly open: string
  /** Base of the OAuth v3 endpoints (`/oauth/v3/token`), without a trailing slash. */
  readonly accounts: string
}

export const Feishu: Domain = { open: "https://open.feishu.cn", accounts: "https://accounts.feishu.cn" }
export const Lark: Domain = { open: "https://open.larksuite.com", accounts: "https://accounts.larksuite.com" }

const trimSlashes = (url: string) => url.replace(/\/+$/, "")

/**
 * Resolves `"feishu"`, `"lark"` or a base URL. A custom base URL (a proxy, a private deployment, the fake
 * platform of the test kit) serves the OAuth endpoints too unless `accounts` names another base.
 */
export const resolve = (domain: string, accounts?: string): Outcome<Domain, string> => {
  const name = domain.trim().toLowerCase()
  if (name === "" || name === "feishu") return succeed(withAccounts(Feishu, accounts))
  if (name === "lark") return succeed(withAccounts(Lark, accounts))
  const url = httpUrl(domain)
  if (url === undefined) return fail(`expected "feishu", "lark" or an http(s) base URL, got ${JSON.stringify(domain)}`)
  const open = trimSlashes(url.toString())
  const official = [Feishu, Lark].find((known) => known.open === open)
  if (official !== undefined) return succeed(withAccounts(official, accounts))
  return succeed({ open, accounts: accounts === undefined ? open : trimSlashes(accounts) })
}

/** `text` as an http(s) URL; `undefined` when it is not one. */
const httpUrl = (text: string): URL | undefined => {
  try {
    const url = new URL(text.trim())
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined
  } catch {
    return undefined
  }
}

/** Whether `text` is an http(s) URL (a base such as `accountsUrl`). */
export const isBaseUrl = (text: string): boolean => httpUrl(text) !== undefined

const withAccounts = (domain: Domain, accounts: string | undefined): Domain =>
  accounts === undefined ? domain : { open: domain.open, accounts: trimSlashes(accounts) }
