/**
 * Streams over `page_token` / `has_more` list APIs. A stream ends on `has_more: false`, a missing or empty
 * token, or a token the platform already gave (so a misbehaving server cannot make it loop forever). A few
 * APIs answer no `has_more`: there the token alone decides.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { mapConcat, paginate } from "./internal/dialect.js"
import type { CallOptions, Payload } from "./Operation.js"

export interface Page {
  readonly has_more?: boolean | undefined
  readonly page_token?: string | undefined
  readonly next_page_token?: string | undefined
}

type ListCall<P, A, E, R> = (payload: P, options?: CallOptions) => Effect.Effect<A, E, R>

const withPageToken = <P extends Payload>(payload: P, pageToken: string | undefined): P =>
  pageToken === undefined ? payload : { ...payload, params: { ...payload.params, page_token: pageToken } }

/** Every page, in order, starting at the payload's own `page_token` if it has one. */
export const pages = <P extends Payload, A extends Page, E, R>(
  list: ListCall<P, A, E, R>,
  payload: P,
  options?: CallOptions
): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const seen = new Set<string>() // per run of the stream
    const first = payload.params?.page_token
    return paginate(typeof first === "string" ? first : undefined, (pageToken: string | undefined) =>
    Effect.map(list(withPageToken(payload, pageToken), options), (page) => {
      const next = page.page_token || page.next_page_token
      if (page.has_more === false || next === undefined || next === "" || seen.has(next)) {
        return [page, Option.none()] as const
      }
      seen.add(next)
      return [page, Option.some(next)] as const
    }))
  })

/** Every item of every page: the elements of the page's list field (`items` on most APIs). */
export const items = <P extends Payload, A extends Page, K extends ListField<A>, E, R>(
  list: ListCall<P, A, E, R>,
  payload: P,
  options?: CallOptions,
  field: K = "items" as K
): Stream.Stream<ItemOf<A, K>, E, R> =>
  mapConcat(pages(list, payload, options), (page) => (page[field] ?? []) as ReadonlyArray<ItemOf<A, K>>)

/** The keys of `A` that hold (optional) arrays. */
export type ListField<A> = { [K in keyof A]-?: NonNullable<A[K]> extends ReadonlyArray<any> ? K : never }[keyof A]

type ItemOf<A, K extends keyof A> = NonNullable<A[K]> extends ReadonlyArray<infer Item> ? Item : never
