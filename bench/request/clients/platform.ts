/**
 * lark-effect on clients of `@effect/platform` a user provides beside `LarkConfig.layer(options)`: none carries
 * lark-effect's direct exchange, so calls go through the platform client's request and response objects.
 * Written in what Effect 3 and 4 share (the Effect 4 edition's bench imports the same modules respelled).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { HttpLive } from "../../../layers/index.js"
import * as LarkConfig from "../../../src/LarkConfig.js"
import { APP, type Call, MESSAGE } from "../protocol.js"
import { makeOn } from "./lark-effect.js"

const withConfig = (http: Layer.Layer<HttpClient.HttpClient>) => (options: LarkConfig.Options) =>
  Layer.merge(LarkConfig.layer(options), http)

/** `NodeHttpClient.layerUndici`: the platform's undici client (its global dispatcher). */
export const undici = makeOn(withConfig(NodeHttpClient.layerUndici))

/** `NodeHttpClient.layer`: the platform's node:http client. */
export const nodeHttp = makeOn(withConfig(NodeHttpClient.layer))

/** `FetchHttpClient.layer`: the runtime's `fetch`. */
export const fetch = makeOn(withConfig(FetchHttpClient.layer))

/** lark-effect's undici wiring with a header of the user's added to every request (`HttpClient.mapRequest`). */
export const wrapped = makeOn(withConfig(Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    return HttpClient.mapRequest(yield* HttpClient.HttpClient, HttpClientRequest.setHeader("x-request-source", "bench"))
  })
).pipe(Layer.provide(HttpLive))))

/**
 * The floor on `NodeHttpClient.layerUndici`, without lark-effect: one token fetched up front, then per call the
 * platform client's `execute` of the same POST and its JSON body read, in `runPromise` as lark-effect's calls.
 */
export const bare = async (url: string): Promise<Call> => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const client = await runtime.runPromise(Effect.gen(function*() {
    return yield* HttpClient.HttpClient
  }))
  const post = (endpoint: string, body: unknown, headers: Record<string, string> = {}) =>
    Effect.flatMap(
      client.execute(HttpClientRequest.bodyText(HttpClientRequest.post(endpoint, { headers }), JSON.stringify(body), "application/json")),
      (response) => response.json
    ) as Effect.Effect<{ readonly code: number; readonly tenant_access_token?: string }, unknown>
  const { tenant_access_token } = await runtime.runPromise(post(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    app_id: APP.appId,
    app_secret: APP.appSecret
  }))
  const headers = { authorization: `Bearer ${tenant_access_token}` }
  const endpoint = `${url}/open-apis/im/v1/messages?receive_id_type=${MESSAGE.params.receive_id_type}`
  return async () => {
    const answer = await runtime.runPromise(post(endpoint, MESSAGE.data, headers))
    if (answer.code !== 0) throw new Error(`platform client: code ${answer.code}`)
  }
}
