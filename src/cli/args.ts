/**
 * The `lark-effect` command line, parsed into what the commands run with. Pure: no I/O. `register`'s
 * flags are here; `call`'s and `events`' in their own modules.
 */
import { flatMapOutcome, mapOutcome, type Outcome, succeed } from "../internal/dialect.js"
import type { AppAddons, RegisterAppOptions } from "../registration/index.js"
import { CALL_USAGE, type CallCommand, parseCall } from "./callArgs.js"
import { EVENTS_USAGE, type EventsCommand, parseEvents } from "./eventsArgs.js"
import { list, type Parsed, parseFlags, repeated, type UsageError, usageError } from "./flags.js"

export interface RegisterCommand {
  readonly _tag: "Register"
  readonly options: RegisterAppOptions
  /** Where to write `LARK_APP_ID` / `LARK_APP_SECRET`; nothing is written without it. */
  readonly envFile: string | undefined
}

/** `usage` is the help text asked for. */
export type Command = RegisterCommand | CallCommand | EventsCommand | { readonly _tag: "Help"; readonly usage: string }

export const USAGE = `Usage: lark-effect <command> [options]

Commands:
  register   create a Feishu / Lark app by scanning a QR code
  call       call any server API with the app in the environment and print the JSON answer
  events     print the app's events live over the long connection, until Ctrl-C

Run "lark-effect <command> --help" for a command's options. call and events read LARK_APP_ID,
LARK_APP_SECRET and LARK_DOMAIN (feishu, lark or a URL) from the environment.
`

export const REGISTER_USAGE = `Usage: lark-effect register [options]

Creates a Feishu / Lark app by scanning a QR code with the Feishu / Lark mobile app.

Options:
  --name <text>         app name to pre-fill ({user} becomes the scanning user's name)
  --desc <text>         app description to pre-fill
  --avatar <url>        avatar image URL (repeat for up to 6 choices)
  --scope <name>        tenant scope to request, e.g. im:message:send_as_bot (repeatable, or comma-separated)
  --user-scope <name>   user scope to request (repeatable)
  --event <type>        event to subscribe to, e.g. im.message.receive_v1 (repeatable)
  --user-event <type>   user-identity event to subscribe to (repeatable)
  --callback <type>     callback to subscribe to, e.g. card.action.trigger (repeatable)
  --create-only         always create a new app (do not offer existing ones)
  --app-id <cli_...>    update this existing app instead of creating one
  --lark                start on Lark (larksuite.com) instead of Feishu
  --domain <host|url>   start on this accounts server instead (private deployments, tests)
  --write-env <path>    write LARK_APP_ID / LARK_APP_SECRET (and LARK_DOMAIN) to this .env file
  -h, --help            show this help
`

const flags = {
  name: { type: "string" },
  desc: { type: "string" },
  avatar: { type: "string", multiple: true },
  scope: { type: "string", multiple: true },
  "user-scope": { type: "string", multiple: true },
  event: { type: "string", multiple: true },
  "user-event": { type: "string", multiple: true },
  callback: { type: "string", multiple: true },
  "create-only": { type: "boolean" },
  "app-id": { type: "string" },
  lark: { type: "boolean" },
  domain: { type: "string" },
  // not `--env-file`: Node 20 reads that flag anywhere on the command line, even after the script, and
  // aborts when the file does not exist yet
  "write-env": { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

type Values = Parsed<typeof flags>["values"]

/** The object without its `undefined` fields: the QR URL then carries only what the user asked for. */
const compact = <A extends object>(fields: A): A =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as A

const nonEmpty = (items: ReadonlyArray<string>) => (items.length > 0 ? items : undefined)

const identityLists = (tenant: ReadonlyArray<string> | undefined, user: ReadonlyArray<string> | undefined) =>
  nonEmpty(list(tenant)) || nonEmpty(list(user)) ? compact({ tenant: nonEmpty(list(tenant)), user: nonEmpty(list(user)) }) : undefined

/** Only the lists that were given; no `addons` at all when no flag asks for one. */
const addonsOf = (values: Values): AppAddons | undefined => {
  const scopes = identityLists(values.scope, values["user-scope"])
  const events = identityLists(values.event, values["user-event"])
  const callbacks = nonEmpty(list(values.callback))
  if (scopes === undefined && events === undefined && callbacks === undefined) return undefined
  return compact({
    scopes,
    events: events === undefined ? undefined : { items: events },
    callbacks: callbacks === undefined ? undefined : { items: callbacks }
  })
}

const registerOptions = (values: Values): RegisterAppOptions => {
  const appPreset = compact({ name: values.name, desc: values.desc, avatar: nonEmpty(repeated(values.avatar)) })
  return compact({
    source: "cli",
    domain: values.lark ? "lark" : values.domain,
    appPreset: Object.keys(appPreset).length > 0 ? appPreset : undefined,
    addons: addonsOf(values),
    createOnly: values["create-only"] ? true : undefined,
    appId: values["app-id"]
  })
}

/** The flag behind a `RegistrationOptionsError`'s option path, so the message speaks the user's language. */
const optionFlags: ReadonlyArray<readonly [string, string]> = [
  ["appPreset.avatar", "--avatar"],
  ["appPreset.name", "--name"],
  ["appPreset.desc", "--desc"],
  ["addons.scopes.tenant", "--scope"],
  ["addons.scopes.user", "--user-scope"],
  ["addons.events.items.tenant", "--event"],
  ["addons.events.items.user", "--user-event"],
  ["addons.callbacks.items", "--callback"],
  ["appId", "--app-id"],
  ["createOnly", "--create-only"],
  ["domain", "--domain"]
]

export const flagOf = (option: string): string =>
  optionFlags.find(([prefix]) => option === prefix || option.startsWith(`${prefix}[`))?.[1] ?? option

const parseRegister = (args: ReadonlyArray<string>): Outcome<RegisterCommand | undefined, UsageError> =>
  flatMapOutcome(parseFlags(args, flags), ({ values }) => {
    if (values.help) return succeed(undefined)
    if (values.lark && values.domain !== undefined) return usageError("--lark and --domain exclude each other")
    if (values["write-env"] !== undefined && values["write-env"].trim() === "") return usageError("--write-env needs a path")
    return succeed({ _tag: "Register" as const, options: registerOptions(values), envFile: values["write-env"] })
  })

interface CommandSpec {
  /** `undefined`: help was asked for. */
  readonly parse: (args: ReadonlyArray<string>) => Outcome<Command | undefined, UsageError>
  readonly usage: string
}

const commands: Readonly<Record<string, CommandSpec>> = {
  register: { parse: parseRegister, usage: REGISTER_USAGE },
  call: { parse: parseCall, usage: CALL_USAGE },
  events: { parse: parseEvents, usage: EVENTS_USAGE }
}

/** Where the options of the command line's command are explained. */
export const helpCommand = (argv: ReadonlyArray<string>): string => {
  const name = argv[0]
  return name !== undefined && Object.hasOwn(commands, name) ? `lark-effect ${name} --help` : "lark-effect --help"
}

/** `argv` without the node and script paths, e.g. `["register", "--name", "Bot"]`. */
export const parseCommandLine = (argv: ReadonlyArray<string>): Outcome<Command, UsageError> => {
  const [name, ...rest] = argv
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return succeed({ _tag: "Help", usage: USAGE })
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (command === undefined) return usageError(`unknown command ${JSON.stringify(name)}`)
  return mapOutcome(command.parse(rest), (parsed): Command => parsed ?? { _tag: "Help", usage: command.usage })
}
