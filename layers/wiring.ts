/**
 * The layers of one HTTP client choice: config from the environment or from options, plus that client.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as LarkConfig from "../src/LarkConfig.js"

export const withHttp = <Out extends HttpClient.HttpClient>(http: Layer.Layer<Out>) => ({
  /**
   * Config from the environment (`LARK_APP_ID`, `LARK_APP_SECRET`, `LARK_DOMAIN`, ...) plus the client.
   * A constant, so every use shares one token cache.
   */
  LarkLive: Layer.merge(LarkConfig.layerConfig(), http),
  /** Config from options plus the client. Call it once and keep the layer. */
  layer: (options: LarkConfig.Options) => Layer.merge(LarkConfig.layer(options), http)
})
