/**
 * `lark-effect events [--type <event type> ...] [--pretty]`, parsed. Pure.
 */
import { mapOutcome, type Outcome } from "../internal/dialect.js"
import { list, parseFlags, type UsageError } from "./flags.js"

export interface EventsCommand {
  readonly _tag: "Events"
  /** Only these event types are printed (all are acknowledged); empty: every type. */
  readonly types: ReadonlyArray<string>
  readonly pretty: boolean
}

export const EVENTS_USAGE = `Usage: lark-effect events [options]

Connects over the long connection with the app in the environment (LARK_APP_ID, LARK_APP_SECRET,
LARK_DOMAIN) and prints every event and callback as it arrives, one JSON line each
({"schema":"2.0","header":{...},"event":{...}}), until Ctrl-C. Every delivery is acknowledged, printed or
not. Status lines go to standard error.

Options:
  --type <event type>   print only this type, e.g. im.message.receive_v1 (repeatable, or comma-separated)
  --pretty              indent the JSON
  -h, --help            show this help

Example:
  lark-effect events --type im.message.receive_v1 | jq .event.message.content

Exit codes: 130 stopped with Ctrl-C, 1 the connection failed for good (e.g. wrong credentials), 2 bad
command line.
`

const flags = {
  type: { type: "string", multiple: true },
  pretty: { type: "boolean" },
  help: { type: "boolean", short: "h" }
} as const

/** What follows `events` on the command line; `undefined` when help was asked for. */
export const parseEvents = (args: ReadonlyArray<string>): Outcome<EventsCommand | undefined, UsageError> =>
  mapOutcome(parseFlags(args, flags), ({ values }) =>
    values.help ? undefined : { _tag: "Events" as const, types: list(values.type), pretty: values.pretty === true })
