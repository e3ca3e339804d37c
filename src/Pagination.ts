/**
 * Streams over `page_token` / `has_more` list APIs. A stream ends on `has_more: false`, a missing or empty
 * token, or a token the platform already gave (so a misbehaving server cannot make it loop forever).
 */
import { Effect, Option, Stream } from "effect"
import type { CallOptions, Payload } from "./Operation.js"

export interface Page<Item = unknown> {
  readonly has_more?: boolean | undefined
  readonly page_token?: string | undefined
  readonly next_page_token?: string | undefined
  readonly items?: ReadonlyArray<Item> | undefined
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
    return Stream.paginateEffect(typeof first === "string" ? first : undefined, (pageToken: string | undefined) =>
    Effect.map(list(withPageToken(payload, pageToken), options), (page) => {
      const next = page.page_token || page.next_page_token
      if (page.has_more !== true || next === undefined || next === "" || seen.has(next)) {
        return [page, Option.none()] as const
      }
      seen.add(next)
      return [page, Option.some(next)] as const
    }))
  })

/** Every item of every page. */
export const items = <P extends Payload, A extends Page, E, R>(
  list: ListCall<P, A, E, R>,
  payload: P,
  options?: CallOptions
): Stream.Stream<ItemOf<A>, E, R> =>
  Stream.mapConcat(pages(list, payload, options), (page) => (page.items ?? []) as ReadonlyArray<ItemOf<A>>)

type ItemOf<A extends Page> = NonNullable<A["items"]>[number]
