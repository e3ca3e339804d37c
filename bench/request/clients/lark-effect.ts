import type * as HttpClient from "@effect/platform/HttpClient"
import { Effect, type Layer, ManagedRuntime, Redacted } from "effect"
import { layer } from "../../../layers/index.js"
import type * as LarkConfig from "../../../src/LarkConfig.js"
import { im } from "../../../src/api/im/index.js"
import { APP, type Call, MESSAGE } from "../protocol.js"

/**
 * One runtime (one token cache, one connection pool) for all calls on the given wiring; each call is the
 * generated `im.v1.message.create`. Written in what Effect 3 and 4 share: it runs on both editions.
 */
export const makeOn = (wiring: (options: LarkConfig.Options) => Layer.Layer<LarkConfig.LarkConfig | HttpClient.HttpClient, unknown>) =>
async (url: string): Promise<Call> => {
  const runtime = ManagedRuntime.make(wiring({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url }))
  await runtime.runPromise(Effect.void) // builds the layer: the token cache and the pool, before the clock starts
  return async () => {
    const message = await runtime.runPromise(im.v1.message.create(MESSAGE))
    if (message.message_id === undefined) throw new Error("lark-effect: no message_id in the answer")
  }
}

/** The default wiring (`lark-effect/layers`, undici). */
export const make = makeOn(layer)
