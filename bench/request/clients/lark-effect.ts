import { ManagedRuntime, Redacted } from "effect"
import { layer } from "../../../layers/index.js"
import { execute } from "../../../src/Request.js"
import { createMessage } from "../../../tests/fixtures/operations.js"
import { APP, type Call, MESSAGE } from "../protocol.js"

/** One runtime (one token cache, one undici pool) for all calls; each call is a fresh `execute`. */
export const make = async (url: string): Promise<Call> => {
  const runtime = ManagedRuntime.make(layer({ appId: APP.appId, appSecret: Redacted.make(APP.appSecret), domain: url }))
  await runtime.runtime()
  return async () => {
    const message = await runtime.runPromise(execute(createMessage, MESSAGE))
    if (message.message_id === undefined) throw new Error("lark-effect: no message_id in the answer")
  }
}
