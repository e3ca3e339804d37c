/**
 * Many replicas of one bot on Redis (`lark-effect/layers/redis`; needs the optional peer `ioredis`).
 *
 * - Tokens: `layerLarkConfig` / `layerLarkConfigFromEnv` keep tenant / app tokens and the marketplace
 *   app_ticket in Redis; a missing token is fetched by one replica of the fleet while the others wait.
 * - Events: `layerDedupe` claims each event id atomically before its handler runs, for every replica and long
 *   connection, so a delivery is handled once by the fleet.
 * - User access tokens: `layerUserTokens` keeps `UserTokens` entries in Redis, under the app id of the
 *   `LarkConfig` it is built with, and lets one replica at a time refresh a user's token.
 * - All need a `RedisClient`: `layerClient(options)`, `layerClientConfig()` (from `REDIS_URL`) or
 *   `layerClientFrom(client)`.
 *
 * While Redis is down, API calls that need a tenant / app token fail with `LarkTokenError` (the token lives in
 * Redis), and events are answered 500 without running a handler (the platform delivers them again later).
 *
 * ```ts
 * const Live = Layer.mergeAll(Redis.layerLarkConfigFromEnv(), Redis.layerDedupe()).pipe(
 *   Layer.provideMerge(Redis.layerClientConfig()),
 *   Layer.merge(HttpLive)
 * )
 * ```
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LarkConfig from "../src/LarkConfig.js"
import type { LarkConfigError } from "../src/LarkError.js"
import { unwrapLayer } from "../src/internal/dialect.js"
import * as RedisClientModule from "./redis/client.js"
import * as RedisTokenCache from "./redis/tokenCache.js"

export { RedisClient, RedisConnectError, type Options as ClientOptions, type Service as RedisClientService } from "./redis/client.js"
export { layer as layerDedupe, make as makeDedupe } from "./redis/dedupe.js"
export { make as makeTokenCache, type Options as TokenCacheOptions } from "./redis/tokenCache.js"
export {
  layer as layerUserTokens,
  makeStore as makeUserTokenStore,
  type Options as UserTokensOptions
} from "./redis/userTokens.js"

/** A client from options given in code, closed with the layer. */
export const layerClient = RedisClientModule.layer

/** A client from `REDIS_URL` and `LARK_REDIS_PREFIX` (default `lark:<LARK_APP_ID>:`), closed with the layer. */
export const layerClientConfig = RedisClientModule.layerConfig

/** A client the caller made and keeps. */
export const layerClientFrom = RedisClientModule.layerFromClient

/** `LarkConfig` from options given in code, with its tokens in Redis. */
export const layerLarkConfig = (
  options: LarkConfig.Options,
  cacheOptions?: RedisTokenCache.Options
): Layer.Layer<LarkConfig.LarkConfig, LarkConfigError, RedisClientModule.RedisClient> =>
  Layer.effect(
    LarkConfig.LarkConfig,
    Effect.flatMap(RedisTokenCache.make(cacheOptions), (tokenCache) => LarkConfig.make({ ...options, tokenCache }))
  )

/** `LarkConfig` from the environment (as `LarkConfig.layerConfig`), with its tokens in Redis. */
export const layerLarkConfigFromEnv = (
  overrides: Partial<LarkConfig.Options> = {},
  cacheOptions?: RedisTokenCache.Options
): Layer.Layer<LarkConfig.LarkConfig, LarkConfigError, RedisClientModule.RedisClient> =>
  unwrapLayer(
    Effect.map(RedisTokenCache.make(cacheOptions), (tokenCache) => LarkConfig.layerConfig({ ...overrides, tokenCache }))
  )
