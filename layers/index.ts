/**
 * Wiring: the one place that picks a runtime (Node, undici).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import * as LarkConfig from "../src/LarkConfig.js"

/** The HTTP client lark-effect uses on Node: undici, with its connection pool. */
export const HttpLive = NodeHttpClient.layerUndici

/**
 * Config from the environment (`LARK_APP_ID`, `LARK_APP_SECRET`, `LARK_DOMAIN`, ...) plus the undici client.
 * A constant, so every use shares one token cache.
 */
export const LarkLive = Layer.merge(LarkConfig.layerConfig(), HttpLive)

/** Config from options plus the undici client. Call it once and keep the layer. */
export const layer = (options: LarkConfig.Options) => Layer.merge(LarkConfig.layer(options), HttpLive)
