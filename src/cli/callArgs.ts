/**
 * `lark-effect call <api> [--path JSON] [--params JSON] [--data JSON] ...`, parsed. Pure: the API name is
 * checked against the generated API when the command runs (`apis.ts`).
 */
import { allOutcomes, flatMapOutcome, type Outcome, outcomeGen, succeed } from "../internal/dialect.js"
import { parseFlags, type UsageError, usageError } from "./flags.js"

export interface CallCommand {
  readonly _tag: "Call"
  /** As typed: `service.version.resource.method` or `service.resource.method`. */
  readonly api: string
  readonly path: Readonly<Record<string, string | number>> | undefined
  readonly params: Readonly<Record<string, unknown>> | undefined
  readonly data: unknown
  /** Upload fields: `data[field]` becomes the file at `path`. */
  readonly files: ReadonlyArray<{ readonly field: string; readonly path: string }>
  readonly userAccessToken: string | undefined
  readonly tenantKey: string | undefined
  /** Write the answer (a file's bytes, or the JSON) here instead of standard output. */
  readonly output: string | undefined
  readonly pretty: boolean
}

export const CALL_USAGE = `Usage: lark-effect call <api> [options]

Calls any server API with the app in the environment (LARK_APP_ID, LARK_APP_SECRET, LARK_DOMAIN) and
prints the answer's data as JSON. <api> is the node SDK's name, with or without the version:
im.v1.message.create, im.message.create (snake_case works too: im.v1.chat_members.get).

Options:
  --path <json>         path parameters, e.g. '{"message_id":"om_xxx"}'
  --params <json>       query parameters, e.g. '{"receive_id_type":"chat_id"}'
  --data <json>         request body
  --file <field=path>   upload: send this file as the body field (repeatable), e.g. --file image=cat.png
  --output <path>       write the answer to this file (needed for APIs that answer a file)
  --user-token <token>  call as a user with this user_access_token
  --tenant-key <key>    the tenant a marketplace app acts for
  --pretty              indent the JSON
  -h, --help            show this help

Example:
  lark-effect call im.v1.message.create --params '{"receive_id_type":"chat_id"}' \\
    --data '{"receive_id":"oc_xxx","msg_type":"text","content":"{\\"text\\":\\"hello\\"}"}'

Exit codes: 0 done, 1 the call failed (the platform's code, log id and troubleshooter link are printed),
2 bad command line.
`

const flags = {
  path: { type: "string" },
  params: { type: "string" },
  data: { type: "string" },
  file: { type: "string", multiple: true },
  output: { type: "string" },
  "user-token": { type: "string" },
  "tenant-key": { type: "string" },
  pretty: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

const json = (flag: string, text: string | undefined): Outcome<unknown, UsageError> => {
  if (text === undefined) return succeed(undefined)
  try {
    return succeed(JSON.parse(text))
  } catch (error) {
    return usageError(`--${flag} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const jsonObject = (flag: string, text: string | undefined) =>
  flatMapOutcome(json(flag, text), (value) =>
    value === undefined || isObject(value) ? succeed(value) : usageError(`--${flag} must be a JSON object`))

const pathParameters = (text: string | undefined) =>
  flatMapOutcome(jsonObject("path", text), (value) =>
    value === undefined || Object.values(value).every((v) => typeof v === "string" || typeof v === "number")
      ? succeed(value as Record<string, string | number> | undefined)
      : usageError("--path values must be strings or numbers"))

const fileFields = (values: ReadonlyArray<string> | undefined) =>
  allOutcomes((values ?? []).map((value) => {
    const match = /^([^=]+)=(.+)$/.exec(value)
    return match === null
      ? usageError(`--file needs <field>=<path>, got ${JSON.stringify(value)}`)
      : succeed({ field: match[1]!.trim(), path: match[2]! })
  }))

/** What follows `call` on the command line; `undefined` when help was asked for. */
export const parseCall = (args: ReadonlyArray<string>): Outcome<CallCommand | undefined, UsageError> =>
  outcomeGen(function*() {
    const { positionals, values } = yield* parseFlags(args, flags, true)
    if (values.help) return undefined
    if (positionals.length !== 1) {
      return yield* usageError(positionals.length === 0 ? "call needs the API name, e.g. im.v1.message.create" : `one API name expected, got ${positionals.join(" ")}`)
    }
    const data = yield* json("data", values.data)
    const files = yield* fileFields(values.file)
    if (files.length > 0 && data !== undefined && !isObject(data)) return yield* usageError("--data must be a JSON object to add --file fields to")
    return {
      _tag: "Call" as const,
      api: positionals[0]!,
      path: yield* pathParameters(values.path),
      params: yield* jsonObject("params", values.params),
      data,
      files,
      userAccessToken: values["user-token"],
      tenantKey: values["tenant-key"],
      output: values.output,
      pretty: values.pretty === true
    }
  })
