/**
 * The layers of one HTTP client choice: config from the environment or from options, plus that client.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as LarkConfig from "../src/LarkConfig.js"
import type { LarkConfigError } from "../src/LarkError.js"
import type { ProxyOption } from "./internal/proxy.js"

export type { ProxyOption } from "./internal/proxy.js"

/** How a wiring's client reaches the platform; every wiring reads `proxy`, each adds its own escape hatch. */
export interface TransportOptions {
  /**
   * Off by default (nothing is read from the environment unless asked). `"environment"` reads `HTTPS_PROXY`,
   * `HTTP_PROXY` and `NO_PROXY` (or their lower-case forms) once, when the layer is built; a URL
   * (`http://user:pass@proxy:3128`) sends every request through that proxy.
   */
  readonly proxy?: ProxyOption | undefined
}

export const withHttp = <Out extends HttpClient.HttpClient, T extends TransportOptions>(
  HttpLive: Layer.Layer<Out>,
  /** The client for transport options, called when one of `fields` is set. */
  transport: (options: T) => Layer.Layer<Out, LarkConfigError>,
  fields: ReadonlyArray<keyof T & string>
) => {
  /** The client of `options`' transport fields (the other fields are ignored); `HttpLive` when none is set. */
  const layerHttp = (options: T): Layer.Layer<Out, LarkConfigError> =>
    fields.some((field) => options[field] !== undefined) ? transport(options) : HttpLive
  return {
    HttpLive,
    layerHttp,
    /**
     * Config from the environment (`LARK_APP_ID`, `LARK_APP_SECRET`, `LARK_DOMAIN`, ...) plus the client.
     * Each build has its own token cache and connection pool: provide it once, around the whole program (or
     * keep a `ManagedRuntime` of it), not around each call.
     */
    LarkLive: Layer.merge(LarkConfig.layerConfig(), HttpLive),
    /** Config from the environment, with `options` for what it cannot hold and for the transport (`proxy`, ...). */
    layerConfig: (options: Partial<LarkConfig.Options> & T = {} as T) => Layer.merge(LarkConfig.layerConfig(options), layerHttp(options)),
    /** Config and transport from options; like `LarkLive`, build it once. */
    layer: (options: LarkConfig.Options & T) => Layer.merge(LarkConfig.layer(options), layerHttp(options))
  }
}
