/**
 * The two SDKs under comparison, each configured once for the recording server: a call names the function
 * by its node-sdk path (`["im", "v1", "message", "create"]`, or without the version), sends the payload with
 * the call header, and acts as the user when asked. What comes back does not matter: only the request does.
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { Effect, Redacted } from "effect"
import { layer } from "../../layers/index.js"
import { defaultApp } from "../../src/testing/fakeApps.js"
import type { Payload } from "./payloads.js"
import { CALL_HEADER, TOKENS } from "./recorder.js"

export interface Call {
  /** The function's path on the service objects: service, version (absent for a version-less name), resource, method. */
  readonly name: ReadonlyArray<string>
  readonly payload: Payload
  readonly asUser: boolean
  /** Sent in the call header. */
  readonly call: string
}

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} }

const resolve = (root: unknown, name: ReadonlyArray<string>): unknown =>
  name.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root)

/** The node-sdk client: `undefined` when it has no such function. */
export const nodeSide = (url: string) => {
  const client = new lark.Client({ appId: defaultApp.appId, appSecret: defaultApp.appSecret, domain: url, logger: silent })
  const has = (name: ReadonlyArray<string>) => typeof resolve(client, name) === "function"
  const call = ({ asUser, call, name, payload }: Call) =>
    Effect.promise(async () => {
      const fn = resolve(client, name) as (payload: unknown, options: unknown) => Promise<unknown>
      const options = { ...(asUser ? lark.withUserAccessToken(TOKENS.user) : {}), headers: { [CALL_HEADER]: call } }
      const answer = await fn(payload, options).catch(() => undefined)
      // a download answers with a stream to read to its end, so that its connection is free again
      const stream = (answer as { getReadableStream?: () => AsyncIterable<unknown> } | undefined)?.getReadableStream?.()
      if (stream !== undefined) for await (const _ of stream) { /* drained */ }
    })
  return { client, has, call }
}

type Generated = (payload: unknown, options: unknown) => Effect.Effect<unknown, unknown, never>

/** The generated functions, found on each service's entry module (`src/api/<service>/index.ts`). */
export const effectSide = (services: Readonly<Record<string, unknown>>) => {
  const has = (name: ReadonlyArray<string>) => typeof resolve(services, name) === "function"
  /** The call's failure before anything was sent, if any, so that a missing request can be explained. */
  const call = ({ asUser, call, name, payload }: Call) => {
    const fn = resolve(services, name) as Generated
    const options = { ...(asUser ? { userAccessToken: TOKENS.user } : {}), headers: { [CALL_HEADER]: call } }
    return Effect.match(fn(payload, options), { onFailure: (error) => error, onSuccess: () => undefined })
  }
  return { has, call }
}

/** lark-effect on undici, configured for the recording server. */
export const effectLayer = (url: string) =>
  layer({ appId: defaultApp.appId, appSecret: Redacted.make(defaultApp.appSecret), domain: url })
