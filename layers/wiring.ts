/**
 * The layers of one HTTP client choice: config from the environment or from options, plus that client.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as LarkConfig from "../src/LarkConfig.js"

export const withHttp = <Out extends HttpClient.HttpClient>(http: Layer.Layer<Out>) => ({
  /**
   * Config from the environment (`LARK_APP_ID`, `LARK_APP_SECRET`, `LARK_DOMAIN`, ...) plus the client.
   * Each build has its own token cache and connection pool: provide it once, around the whole program (or
   * keep a `ManagedRuntime` of it), not around each call.
   */
  LarkLive: Layer.merge(LarkConfig.layerConfig(), http),
  /** Config from options plus the client; like `LarkLive`, build it once. */
  layer: (options: LarkConfig.Options) => Layer.merge(LarkConfig.layer(options), http)
})
