/**
 * `addons`: extra scopes, events and callbacks the confirm page adds on top of its app template.
 *
 * The shape is checked strictly because the page silently drops the whole payload when anything in it is
 * off, and because only these five lists (plus `preset`) may ever ride on a URL: secrets and webhook
 * settings go through the app-config OpenAPI instead. Names themselves are not checked (the page drops
 * names it does not know).
 *
 * Wire form (fixed by the platform): compact JSON -> gzip -> base64url without padding.
 */
import { gzipSync } from "node:zlib"
import { fail, isRecord, type Outcome, outcomeGen, succeed } from "../internal/dialect.js"
import { RegistrationOptionsError } from "./errors.js"

/** Items for the app's own identity (`tenant`) and for the user identity (`user`). */
export interface IdentityLists {
  readonly tenant?: ReadonlyArray<string>
  readonly user?: ReadonlyArray<string>
}

export interface AppAddons {
  /** `true` or absent: the platform's default template plus these items; `false`: a minimal bot-only base plus these items. */
  readonly preset?: boolean
  /** Scopes, e.g. `{ tenant: ["im:message:send_as_bot"], user: ["calendar:calendar:read"] }`. */
  readonly scopes?: IdentityLists
  /** Event subscriptions, e.g. `{ items: { tenant: ["im.message.receive_v1"] } }`. */
  readonly events?: { readonly items?: IdentityLists }
  /** Callbacks, e.g. `{ items: ["card.action.trigger"] }`. */
  readonly callbacks?: { readonly items?: ReadonlyArray<string> }
}

type Checked<A> = Outcome<A, RegistrationOptionsError>

const invalid = (option: string, detail: string): Checked<never> =>
  fail(new RegistrationOptionsError({ option, detail }))

/** `value` must be a plain object with no keys besides `allowed`. */
const object = (value: unknown, path: string, allowed: ReadonlyArray<string>): Checked<Record<string, unknown>> => {
  if (!isRecord(value)) return invalid(path, "must be an object")
  const extra = Object.keys(value).find((key) => !allowed.includes(key))
  return extra === undefined
    ? succeed(value)
    : invalid(`${path}.${extra}`, `is not allowed; allowed keys: ${allowed.join(", ")}`)
}

/** An absent list stays absent; a present one must hold non-empty strings only. */
const strings = (value: unknown, path: string): Checked<ReadonlyArray<string> | undefined> => {
  if (value === undefined) return succeed(undefined)
  if (!Array.isArray(value)) return invalid(path, "must be an array of strings")
  const bad = value.findIndex((item) => typeof item !== "string" || item.trim() === "")
  return bad < 0 ? succeed(value as ReadonlyArray<string>) : invalid(`${path}[${bad}]`, "must be a non-empty string")
}

/** Copies only the present keys, so the JSON never carries `undefined` or `null`. */
const present = <A extends Record<string, unknown>>(fields: A): Partial<A> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<A>

const identityLists = (value: unknown, path: string): Checked<IdentityLists | undefined> =>
  value === undefined ? succeed(undefined) : outcomeGen(function*() {
    const lists = yield* object(value, path, ["tenant", "user"])
    return present({
      tenant: yield* strings(lists["tenant"], `${path}.tenant`),
      user: yield* strings(lists["user"], `${path}.user`)
    })
  })

/** `{ items }` around one of the lists. */
const itemsSection = <A>(value: unknown, path: string, items: (value: unknown, path: string) => Checked<A | undefined>) =>
  value === undefined ? succeed(undefined) : outcomeGen(function*() {
    const section = yield* object(value, path, ["items"])
    return present({ items: yield* items(section["items"], `${path}.items`) })
  })

const itemCount = (addons: AppAddons): number =>
  [
    addons.scopes?.tenant,
    addons.scopes?.user,
    addons.events?.items?.tenant,
    addons.events?.items?.user,
    addons.callbacks?.items
  ].reduce((sum, list) => sum + (list?.length ?? 0), 0)

/** Checks `input` and rebuilds it from its validated fields only. */
export const normalizeAddons = (input: unknown): Checked<AppAddons> =>
  outcomeGen(function*() {
    const top = yield* object(input, "addons", ["preset", "scopes", "events", "callbacks"])
    const preset = top["preset"]
    if (preset !== undefined && typeof preset !== "boolean") return yield* invalid("addons.preset", "must be a boolean")
    const addons: AppAddons = present({
      preset,
      scopes: yield* identityLists(top["scopes"], "addons.scopes"),
      events: yield* itemsSection(top["events"], "addons.events", identityLists),
      callbacks: yield* itemsSection(top["callbacks"], "addons.callbacks", strings)
    })
    if (preset !== false && itemCount(addons) === 0) {
      return yield* invalid("addons", "must contain at least one scope, event or callback (or set preset: false)")
    }
    return addons
  })

/** Compact JSON, gzip, then base64url without padding: matches `^[A-Za-z0-9_-]+$`, safe in a URL as is. */
export const encodeAddons = (addons: AppAddons): string =>
  gzipSync(Buffer.from(JSON.stringify(addons), "utf8")).toString("base64url")
