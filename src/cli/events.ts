/**
 * `lark-effect events`: the app's events and callbacks, live over the long connection, one JSON line each
 * on standard output; connection status on standard error. Runs until interrupted (Ctrl-C).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as EventDispatcher from "../events/EventDispatcher.js"
import { catchAll, changesOf } from "../internal/dialect.js"
import * as LarkConfig from "../LarkConfig.js"
import * as LongConnection from "../ws/LongConnection.js"
import type { WebSocketFactory } from "../ws/socket.js"
import type { EventsCommand } from "./eventsArgs.js"
import { configErrorLines } from "./format.js"
import { ExitCode, type Output, printAll } from "./output.js"

const typeOf = (event: EventDispatcher.AnyEvent) => event.version === "v2" ? event.header.event_type : event.type

/**
 * The event as the platform sent it (the v2 envelope; v1: its uuid, time, type and event), without the
 * verification token, which is a secret.
 */
export const printable = (event: EventDispatcher.AnyEvent): unknown => {
  if (event.version === "v1") return { uuid: event.uuid, ts: event.ts, type: event.type, event: event.event }
  const { token: _token, ...header } = event.header
  return { schema: "2.0", header, event: event.event }
}

export const eventLine = (event: EventDispatcher.AnyEvent, pretty: boolean): string =>
  JSON.stringify(printable(event), undefined, pretty ? 2 : undefined)

/** A line for the states worth telling (connected, reconnecting, and their reasons). */
export const stateLine = (state: LongConnection.State): string | undefined => {
  switch (state._tag) {
    case "Connected":
      return "Connected. Waiting for events; press Ctrl-C to stop."
    case "Reconnecting":
      return `Connection lost (${state.error}); reconnecting in ${Duration.format(state.delay)}.`
    default:
      return undefined
  }
}

/** Prints events until interrupted; answers an exit code only when the connection fails for good. */
export const events = (
  command: EventsCommand,
  output: Output
): Effect.Effect<number, never, HttpClient.HttpClient | WebSocketFactory> =>
  Effect.gen(function*() {
    const wanted = (event: EventDispatcher.AnyEvent) => command.types.length === 0 || command.types.includes(typeOf(event))
    // every type reaches the fallback; the others are acknowledged unprinted
    const dispatcher = EventDispatcher.make().fallback((event) =>
      wanted(event) ? output.out(eventLine(event, command.pretty)) : Effect.void)
    const state = yield* LongConnection.makeState
    yield* changesOf(state).pipe(
      Stream.runForEach((next) => {
        const line = stateLine(next)
        return line === undefined ? Effect.void : output.err(line)
      }),
      Effect.forkScoped
    )
    return yield* LongConnection.run(dispatcher, { state })
  }).pipe(
    Effect.scoped,
    Effect.provide(LarkConfig.layerConfig()),
    catchAll((error) =>
      Effect.as(printAll(output.err, error._tag === "LarkConfigError" ? configErrorLines(error) : [error.message]), ExitCode.failed)),
    Effect.onInterrupt(() => output.err("Stopped."))
  )
