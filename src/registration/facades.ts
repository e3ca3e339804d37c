/**
 * Callback facades over `registerApp`, shaped like the official SDKs' `registerApp` call:
 * `registerAppEffect` for Effect programs, `registerAppAsync` (a Promise, cancelled by an `AbortSignal`)
 * for code that does not use Effect.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { dieMessage, isInterruptedOnly } from "../internal/dialect.js"
import type { RegistrationFailure } from "./errors.js"
import { type RegisteredApp, RegistrationEvent, type StatusKind } from "./events.js"
import type { RegisterAppOptions } from "./options.js"
import { registerApp } from "./registerApp.js"

export interface QrCodeInfo {
  readonly url: string
  /** Seconds the QR code stays valid. */
  readonly expireIn: number
}

export interface StatusInfo {
  readonly status: StatusKind
  /** The new interval in seconds, for `slow_down` only. */
  readonly interval?: number
}

/** A callback may return an Effect (run before the flow goes on); a plain function's result is ignored. */
export type Callback<A> = (info: A) => void | Effect.Effect<void>

export interface RegisterAppCallbacks {
  /** Called once, when the QR code is ready: show `url` to the user. */
  readonly onQrCode: Callback<QrCodeInfo>
  readonly onStatusChange?: Callback<StatusInfo>
}

export type RegisterAppEffectOptions = RegisterAppOptions & RegisterAppCallbacks

export interface RegisterAppAsyncOptions extends RegisterAppEffectOptions {
  /** Aborting stops the flow (no request is sent afterwards) and rejects with `signal.reason`. */
  readonly signal?: AbortSignal
  /** The HTTP client to use; default `fetch`. */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient>
}

const notify = (callbacks: RegisterAppCallbacks, event: RegistrationEvent): Effect.Effect<void> =>
  Effect.suspend(() => {
    const result = RegistrationEvent.$match(event, {
      QrCode: ({ expireIn, url }) => callbacks.onQrCode({ url, expireIn }),
      Status: ({ interval, status }) => callbacks.onStatusChange?.(interval === undefined ? { status } : { status, interval }),
      Done: () => undefined
    })
    return Effect.isEffect(result) ? result : Effect.void
  })

/** Runs the flow, calling the callbacks on the way; succeeds with the new app's credentials. */
export const registerAppEffect = (
  options: RegisterAppEffectOptions
): Effect.Effect<RegisteredApp, RegistrationFailure, HttpClient.HttpClient> =>
  registerApp(options).pipe(
    Stream.tap((event) => notify(options, event)),
    Stream.runLast,
    Effect.flatMap((last) =>
      last._tag === "Some" && last.value._tag === "Done"
        ? Effect.succeed<RegisteredApp>({
          clientId: last.value.clientId,
          clientSecret: last.value.clientSecret,
          userInfo: last.value.userInfo
        })
        : dieMessage("registerApp ended without a result")
    )
  )

/**
 * The flow as a Promise. It rejects with the tagged registration error (an `Error`), or with
 * `signal.reason` once the signal aborts. The app secret is `Redacted`: read it with `Redacted.value`.
 */
export const registerAppAsync = async (options: RegisterAppAsyncOptions): Promise<RegisteredApp> => {
  const { signal } = options
  // checked first: a fiber started with an aborted signal may still send its first request
  if (signal?.aborted) throw signal.reason
  const program = Effect.provide(registerAppEffect(options), options.httpClient ?? FetchHttpClient.layer)
  const exit = await Effect.runPromiseExit(program, signal === undefined ? undefined : { signal })
  if (Exit.isSuccess(exit)) return exit.value
  if (signal?.aborted && isInterruptedOnly(exit.cause)) throw signal.reason
  throw Cause.squash(exit.cause)
}
