/**
 * lark-effect on clients of `@effect/platform` a user provides beside `LarkConfig.layer(options)`: none carries
 * lark-effect's direct exchange, so calls go through the platform client's request and response objects.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { HttpLive } from "../../../layers/index.js"
import * as LarkConfig from "../../../src/LarkConfig.js"
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
  Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("x-request-source", "bench")))
).pipe(Layer.provide(HttpLive))))
