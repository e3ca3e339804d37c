/**
 * How one hop of a media download is made (`readMedia.ts` checks the URL and follows redirects itself).
 *
 * By default each hop opens a connection of its own with `node:http` / `node:https`: not the app's
 * `HttpClient`, no pool, no proxy, so that the socket resolves the host through `guardedLookup`
 * (`mediaLookup.ts`) and a name that resolves to an internal address is refused before anything connects.
 * Provide {@link layerResolver} to resolve names another way (tests map names to loopback), or
 * {@link layerHttpClient} to fetch through the program's `HttpClient` instead (e.g. `MockHttp` in tests).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import { doneUnsafe, Reference } from "../internal/dialect.js"
import { ChannelSendError } from "./errors.js"
import { guardedLookup, type Resolver, systemResolver } from "./mediaLookup.js"

export type { Resolver } from "./mediaLookup.js"

/** What a hop answers: the body is read only when the status asks for it. */
export interface MediaResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly stream: Stream.Stream<Uint8Array, unknown>
}

/**
 * GETs `url` without following redirects; `admits` says which resolved addresses a connection may use. The
 * request is aborted when the scope closes.
 */
export type MediaGet = (url: URL, admits: (address: string) => boolean) => Effect.Effect<MediaResponse, ChannelSendError, Scope.Scope>

const failed = (url: URL, reason: string) =>
  new ChannelSendError({ code: "download_failed", detail: `fetching ${url.host} failed: ${reason}` })

const flatHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]]))

/** One GET on a fresh socket whose addresses come from `guardedLookup`. */
export const guarded = (resolve: Resolver = systemResolver): MediaGet => (url, admits) =>
  Effect.gen(function*() {
    const answer = yield* Deferred.make<Http.IncomingMessage, ChannelSendError>()
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const send = url.protocol === "https:" ? Https.get : Http.get
        const request = send(url, { agent: false, lookup: guardedLookup(resolve, admits) }, (response) =>
          doneUnsafe(answer, Exit.succeed(response)))
        // the guard's refusal arrives here as it was made; anything else is the network's
        request.on("error", (cause) =>
          doneUnsafe(answer, Exit.fail(cause instanceof ChannelSendError ? cause : failed(url, cause.message))))
        return request
      }),
      (request) => Effect.sync(() => request.destroy())
    )
    const response = yield* Deferred.await(answer)
    return {
      status: response.statusCode ?? 0,
      headers: flatHeaders(response.headers),
      stream: Stream.fromAsyncIterable(response as AsyncIterable<Uint8Array>, (cause) => cause)
    }
  })

/** The media fetch; {@link guarded} on the system's resolver unless a layer below replaces it. */
export class MediaFetch extends Reference<MediaFetch>()("lark-effect/channel/MediaFetch", {
  defaultValue: (): MediaGet => guarded()
}) {}

/**
 * Media host names resolved by `resolve` (every address it answers is still checked). Its type is inferred: the
 * layer provides `MediaFetch` on Effect 3, and nothing on Effect 4, where a reference is no requirement.
 */
export const layerResolver = (resolve: Resolver) => Layer.succeed(MediaFetch, guarded(resolve))

/** A fetch-based client would follow redirects itself; ours are checked one by one. Other init options stay. */
const withoutFetchRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, { ...Option.getOrElse(init, () => ({})), redirect: "manual" }))

/**
 * Media fetched through the program's `HttpClient`, for tests on `MockHttp` or a client that makes its own
 * egress checks: URLs and redirects are still checked, but resolved addresses are not (the client's sockets
 * are not ours).
 */
export const layerHttpClient = Layer.effect(
  MediaFetch,
  Effect.map(HttpClient.HttpClient, (client): MediaGet => {
    const scoped = HttpClient.withScope(client)
    return (url) => withoutFetchRedirects(scoped.get(url.href)).pipe(Effect.mapError((error) => failed(url, error.message)))
  })
)
