import { ManagedRuntime, Redacted } from "effect"
import { layer } from "../../../layers/index.js"
import { im } from "../../../src/api/im/index.js"
import { APP, type Call, MESSAGE } from "../protocol.js"

/** One runtime (one token cache, one undici pool) for all calls; each call is the generated `im.v1.message.create`. */
export const make = async (url: string): Promise<Call> => {
  const runtime = ManagedRuntime.make(layer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url }))
  await runtime.runtime()
  return async () => {
    const message = await runtime.runPromise(im.v1.message.create(MESSAGE))
    if (message.message_id === undefined) throw new Error("lark-effect: no message_id in the answer")
  }
}
