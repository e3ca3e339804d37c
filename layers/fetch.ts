/**
 * Wiring on the runtime's own `fetch`: nothing to load or bundle for HTTP, so programs start faster and
 * bundle smaller than with `lark-effect/layers` (undici), at about twice the CPU per call. For short-lived programs
 * (CLIs, serverless functions) that make few calls; see `npm run bench:cost`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import { withHttp } from "./wiring.js"

export const HttpLive: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer

export const { LarkLive, layer } = withHttp(HttpLive)
