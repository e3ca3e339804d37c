/**
 * The options of `registerApp`, and their validation into the settings the flow runs with.
 *
 * Everything is checked before the first request, so a typo never costs the user a scanned QR code.
 */
import * as Domain from "../Domain.js"
import { fail, isRecord, mapOutcome, type Outcome, outcomeGen, succeed } from "../internal/dialect.js"
import { type AppAddons, encodeAddons, normalizeAddons } from "./addons.js"
import { RegistrationOptionsError } from "./errors.js"

/** Initial values of the creation page; the user may edit them, and what they submit wins. */
export interface AppPreset {
  /** One avatar image URL, or 1 to 6 of them (the first is the default choice); png, jpg, webp or gif. */
  readonly avatar?: string | ReadonlyArray<string>
  /** The app name; the page replaces `{user}` with the scanning user's name. */
  readonly name?: string
  /** The app description; `{user}` works here too. */
  readonly desc?: string
}

export interface RegisterAppOptions {
  /** Attribution tag: the QR URL carries `source=lark-effect/<source>`. */
  readonly source?: string
  /** Where the flow begins: `"feishu"`, `"lark"`, a host (`accounts.feishu.cn`) or a base URL. Default Feishu. */
  readonly domain?: string
  /** Where polling moves once the server reports a Lark tenant; same forms as `domain`. Default Lark. */
  readonly larkDomain?: string
  readonly appPreset?: AppPreset
  /** Extra scopes, events and callbacks for the new app (see `AppAddons`). */
  readonly addons?: AppAddons
  /** Show the create flow only (no "pick an existing app"); sent only when `true`. */
  readonly createOnly?: boolean
  /** Update this existing app (`cli_...`) instead of creating one: the page shows what `addons` changes. */
  readonly appId?: string
}

/** What the QR URL carries besides the server's own query. */
export interface QrParams {
  readonly source: string
  readonly avatars: ReadonlyArray<string>
  readonly name: string | undefined
  readonly desc: string | undefined
  /** Already encoded. */
  readonly addons: string | undefined
  readonly createOnly: boolean
  readonly appId: string | undefined
}

export interface Settings {
  /** Base URLs without a trailing slash. */
  readonly domain: string
  readonly larkDomain: string
  readonly qr: QrParams
}

export const SOURCE = "lark-effect"
export const MAX_AVATARS = 6

type Checked<A> = Outcome<A, RegistrationOptionsError>

const invalid = (option: string, detail: string): Checked<never> =>
  fail(new RegistrationOptionsError({ option, detail }))

const optionalString = (value: unknown, option: string): Checked<string | undefined> =>
  value === undefined || typeof value === "string" ? succeed(value) : invalid(option, "must be a string")

/** `"feishu"`, `"lark"`, a bare host (https is added) or an http(s) base URL; returned without a trailing slash. */
const accountsBase = (value: unknown, option: string, fallback: string): Checked<string> => {
  if (value === undefined) return succeed(fallback)
  if (typeof value !== "string" || value.trim() === "") return invalid(option, "must be a non-empty string")
  const name = value.trim()
  if (name.toLowerCase() === "feishu") return succeed(Domain.Feishu.accounts)
  if (name.toLowerCase() === "lark") return succeed(Domain.Lark.accounts)
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(name) ? name : `https://${name}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return invalid(option, `expected "feishu", "lark", a host or an http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return invalid(option, `expected an http(s) URL, got ${JSON.stringify(value)}`)
  }
  return succeed(`${url.origin}${url.pathname}`.replace(/\/+$/, ""))
}

/** A string becomes a one-item list; the list must hold 1 to 6 non-empty strings. */
const avatars = (value: unknown): Checked<ReadonlyArray<string>> => {
  if (value === undefined) return succeed([])
  if (typeof value !== "string" && !Array.isArray(value)) return invalid("appPreset.avatar", "must be a string or an array of strings")
  const list: ReadonlyArray<unknown> = typeof value === "string" ? [value] : value
  if (list.length === 0) return invalid("appPreset.avatar", "must contain at least 1 URL")
  if (list.length > MAX_AVATARS) return invalid("appPreset.avatar", `supports at most ${MAX_AVATARS} URLs, got ${list.length}`)
  const bad = list.findIndex((item) => typeof item !== "string" || item.trim() === "")
  return bad < 0 ? succeed(list as ReadonlyArray<string>) : invalid(`appPreset.avatar[${bad}]`, "must be a non-empty string")
}

const appPreset = (value: unknown) =>
  outcomeGen(function*() {
    if (value === undefined) return { avatars: [], name: undefined, desc: undefined }
    if (!isRecord(value)) return yield* invalid("appPreset", "must be an object")
    return {
      avatars: yield* avatars(value["avatar"]),
      name: yield* optionalString(value["name"], "appPreset.name"),
      desc: yield* optionalString(value["desc"], "appPreset.desc")
    }
  })

const appId = (value: unknown): Checked<string | undefined> =>
  value === undefined || (typeof value === "string" && value.trim() !== "")
    ? succeed(value)
    : invalid("appId", "must be a non-empty string (the app's cli_... id)")

const createOnly = (value: unknown): Checked<boolean> =>
  value === undefined || typeof value === "boolean" ? succeed(value === true) : invalid("createOnly", "must be a boolean")

const source = (value: unknown): Checked<string> =>
  mapOutcome(optionalString(value, "source"), (tag) => (tag === undefined || tag.trim() === "" ? SOURCE : `${SOURCE}/${tag.trim()}`))

/** Validates every option (as `unknown`: JavaScript callers get the same checks) and encodes `addons`. */
export const validate = (options: RegisterAppOptions): Checked<Settings> =>
  outcomeGen(function*() {
    const preset = yield* appPreset(options.appPreset)
    const addons = options.addons === undefined ? undefined : yield* normalizeAddons(options.addons)
    return {
      domain: yield* accountsBase(options.domain, "domain", Domain.Feishu.accounts),
      larkDomain: yield* accountsBase(options.larkDomain, "larkDomain", Domain.Lark.accounts),
      qr: {
        source: yield* source(options.source),
        ...preset,
        addons: addons === undefined ? undefined : encodeAddons(addons),
        createOnly: yield* createOnly(options.createOnly),
        appId: yield* appId(options.appId)
      }
    }
  })
