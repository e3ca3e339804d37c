/**
 * Wiring for Node: the one place that picks a runtime and an HTTP client. This module uses undici, the
 * fastest per call (see `npm run bench`); `lark-effect/layers/fetch` starts faster and bundles smaller.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import { withHttp } from "./wiring.js"

/** undici with its connection pool. */
export const HttpLive: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

export const { LarkLive, layer } = withHttp(HttpLive)
