/**
 * `LongConnection.run(dispatcher)`: receives events and callbacks over the platform's WebSocket (no public
 * URL needed) and hands them to the same `EventDispatcher` as the webhook path.
 *
 * Each attempt fetches a fresh endpoint, opens the socket and runs a session (see `session.ts`). A
 * retryable failure reconnects by the server's policy (see `reconnect.ts`); a terminal one (credentials,
 * forbidden, the connection limit, the reconnect budget spent) ends `run` with that error. With
 * `autoReconnect: false` the first failure of any kind ends it (`LongConnectionDisconnected`). `run` never
 * succeeds otherwise: interrupt its fiber to stop it, which closes the socket and stops every fiber it
 * started, handlers included (their claims are released, so the platform's redelivery runs them again).
 *
 * De-duplication: `EventDedupe` from the context when there is one (share it with `handle` to dedupe
 * across the webhook and the long connection, or across processes); otherwise one in-memory store for
 * the lifetime of `run`, across reconnects.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { unsafeMakeMemory } from "../events/Dedupe.js"
import { dedupeOfContext, makeDispatch } from "../events/dispatch.js"
import type { EventDispatcher } from "../events/EventDispatcher.js"
import { decodeDuration, type DurationInput, timeoutFail } from "../internal/dialect.js"
import type { LarkConfig } from "../LarkConfig.js"
import { type ClientConfig, defaultClientConfig, type Endpoint, fetchEndpoint, isInsecureRemote } from "./endpoint.js"
import {
  type ConnectionError,
  LongConnectionConfigError,
  type LongConnectionError,
  LongConnectionGaveUp,
  LongConnectionTransportError
} from "./errors.js"
import type * as Fragments from "./fragments.js"
import { delayBefore, endingError } from "./reconnect.js"
import * as Handlings from "./handlings.js"
import * as Session from "./session.js"
import { WebSocketFactory } from "./socket.js"
import { countHandlings, type Watch } from "./watch.js"

/** Where the connection is. `attempt` counts reconnect attempts since the last established connection. */
export type State =
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Connecting"; readonly attempt: number }
  | { readonly _tag: "Connected"; readonly attempt: number; readonly connectionId: string | undefined }
  | {
    readonly _tag: "Reconnecting"
    readonly attempt: number
    readonly delay: Duration.Duration
    /** Why the previous attempt or connection ended. */
    readonly error: string
  }
  /** `run` ended: `error` is the terminal failure, `undefined` after an interruption. */
  | { readonly _tag: "Closed"; readonly error: LongConnectionError | undefined }

export interface Options {
  /** Receives every state change; make one with {@link makeState} and watch `state.changes`. */
  readonly state?: SubscriptionRef.SubscriptionRef<State> | undefined
  /** No frame at all this long after a ping: the socket is dead, reconnect. Default 10 seconds. */
  readonly pongTimeout?: DurationInput | undefined
  /** Longest wait for the socket to open. Default 10 seconds. */
  readonly openTimeout?: DurationInput | undefined
  /** Longest wait for the endpoint answer. Default 15 seconds. */
  readonly endpointTimeout?: DurationInput | undefined
  /** Handlers running at once; further messages wait (unacknowledged). Default 64. */
  readonly concurrency?: number | undefined
  /**
   * Messages waiting for a handler slot, at most. One more is answered 500 at once, so the platform
   * redelivers it later, instead of piling up in memory while the handlers are stuck. Default 1024.
   */
  readonly maxQueued?: number | undefined
  /** Limits of the reassembly of long messages. */
  readonly fragments?: Partial<Fragments.Limits> | undefined
  /**
   * Settings used until the server sends its own (they come with the first endpoint answer). Default:
   * {@link defaultClientConfig} (reconnect forever, first retry within 30 s, then every 120 s).
   */
  readonly clientConfig?: Partial<ClientConfig> | undefined
  /** The shortest wait before a reconnect, whatever the server says. Default 1 second. */
  readonly minReconnectDelay?: DurationInput | undefined
  /**
   * Refuse a socket URL that is plain `ws://` to a host other than this machine: `run` ends with a
   * `LongConnectionConfigError` before any socket is opened. Off by default (the channel's strict mode).
   */
  readonly requireTls?: boolean | undefined
  /**
   * Reconnect after a drop or a failed attempt (default `true`). `false`, as node-sdk's `autoReconnect`:
   * the first failure, before or after connecting, ends `run` with a `LongConnectionDisconnected` that
   * carries it.
   */
  readonly autoReconnect?: boolean | undefined
}

/** A state holder to pass as `options.state`. */
export const makeState: Effect.Effect<SubscriptionRef.SubscriptionRef<State>> = SubscriptionRef.make<State>({ _tag: "Idle" })

/** The requirements of {@link run} besides the dispatcher's own. */
export type Requirements = LarkConfig | HttpClient.HttpClient | WebSocketFactory

/** Connects, dispatches until interrupted, and reconnects as needed. Fails only with a terminal error. */
export const run = <R>(
  dispatcher: EventDispatcher<R>,
  options: Options = {}
): Effect.Effect<never, LongConnectionError, R | Requirements> => runWatched(dispatcher, options, undefined)

/**
 * {@link run}, reporting to `watch` the messages and handlings that go over its limits (the channel's
 * audit mode, see `watch.ts`).
 *
 * @internal (not exported by the package)
 */
export const runWatched = <R>(
  dispatcher: EventDispatcher<R>,
  options: Options,
  watch: Watch | undefined
): Effect.Effect<never, LongConnectionError, R | Requirements> =>
  Effect.scoped(Effect.gen(function*() {
    const sockets = yield* WebSocketFactory
    const state = options.state ?? (yield* makeState)
    const setState = (next: State) => SubscriptionRef.set(state, next)
    const pongTimeout = decodeDuration(options.pongTimeout ?? "10 seconds")
    const openTimeout = decodeDuration(options.openTimeout ?? "10 seconds")
    const endpointTimeout = decodeDuration(options.endpointTimeout ?? "15 seconds")
    const minReconnectDelay = decodeDuration(options.minReconnectDelay ?? "1 second")

    const dispatch = makeDispatch(dispatcher, dedupeOfContext(unsafeMakeMemory()), "whenPresent")
    const submit = yield* Handlings.make<R>(Math.max(1, options.concurrency ?? 64), Math.max(0, options.maxQueued ?? 1024))
    const fork = watch?.concurrency === undefined ? submit : countHandlings(submit, watch.concurrency, watch.crossed)
    const clientConfig = yield* Ref.make<ClientConfig>({ ...defaultClientConfig, ...options.clientConfig })

    const connectOnce = (onConnected: (endpoint: Endpoint) => Effect.Effect<void>) =>
      Effect.scoped(Effect.gen(function*() {
        const endpoint = yield* fetchEndpoint(yield* Ref.get(clientConfig), endpointTimeout)
        yield* Ref.set(clientConfig, endpoint.clientConfig)
        if (options.requireTls === true && isInsecureRemote(Redacted.value(endpoint.url))) {
          // the URL itself is not shown: its query holds an access key and a ticket
          return yield* new LongConnectionConfigError({ detail: "the endpoint answered a plain ws:// URL to a remote host (TLS required)" })
        }
        const connection = yield* sockets.open(endpoint.url).pipe(
          timeoutFail({
            duration: openTimeout,
            onTimeout: () =>
              new LongConnectionTransportError({
                stage: "open",
                reason: "Timeout",
                detail: `the socket did not open within ${Duration.format(openTimeout)}`
              })
          })
        )
        yield* onConnected(endpoint)
        return yield* Session.run({
          connection,
          serviceId: endpoint.serviceId,
          clientConfig,
          dispatch,
          fork,
          pongTimeout,
          fragments: options.fragments ?? {},
          watch
        })
      }))

    const autoReconnect = options.autoReconnect !== false
    const loop = Effect.gen(function*() {
      let attempt = 0
      while (true) {
        yield* setState({ _tag: "Connecting", attempt })
        let wasConnected = false
        const connected = (endpoint: Endpoint) =>
          Effect.gen(function*() {
            yield* setState({ _tag: "Connected", attempt, connectionId: endpoint.connectionId })
            yield* Effect.logInfo("lark long connection: connected").pipe(
              Effect.annotateLogs({ connectionId: endpoint.connectionId ?? "" })
            )
            attempt = 0
            wasConnected = true
          })
        const error: ConnectionError = yield* Effect.flip(connectOnce(connected))
        const ending = endingError(error, autoReconnect, wasConnected)
        if (ending !== undefined) return yield* Effect.fail(ending)
        attempt++
        const delay = delayBefore(yield* Ref.get(clientConfig), attempt, yield* Random.next, minReconnectDelay)
        if (Option.isNone(delay)) {
          return yield* new LongConnectionGaveUp({ attempts: attempt - 1, lastError: error.message })
        }
        yield* Effect.logWarning(`lark long connection: ${error.message}; reconnecting in ${Duration.format(delay.value)}`)
        yield* setState({ _tag: "Reconnecting", attempt, delay: delay.value, error: error.message })
        yield* Effect.sleep(delay.value)
      }
    })

    return yield* loop.pipe(
      Effect.tapError((error) => setState({ _tag: "Closed", error })),
      Effect.onInterrupt(() => setState({ _tag: "Closed", error: undefined }))
    )
  }))
