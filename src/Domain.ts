/**
 * Where the platform lives: the OpenAPI base URL and the OAuth ("accounts") base URL.
 */
import * as Either from "effect/Either"
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
export const resolve = (domain: string, accounts?: string): Either.Either<Domain, string> => {
  const name = domain.trim().toLowerCase()
  if (name === "" || name === "feishu") return Either.right(withAccounts(Feishu, accounts))
  if (name === "lark") return Either.right(withAccounts(Lark, accounts))
  let url: URL
  try {
    url = new URL(domain.trim())
  } catch {
    return Either.left(`expected "feishu", "lark" or an http(s) base URL, got ${JSON.stringify(domain)}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`expected an http(s) base URL, got ${JSON.stringify(domain)}`)
  }
  const open = trimSlashes(url.toString())
  const official = [Feishu, Lark].find((known) => known.open === open)
  if (official !== undefined) return Either.right(withAccounts(official, accounts))
  return Either.right({ open, accounts: accounts === undefined ? open : trimSlashes(accounts) })
}

const withAccounts = (domain: Domain, accounts: string | undefined): Domain =>
  accounts === undefined ? domain : { open: domain.open, accounts: trimSlashes(accounts) }
