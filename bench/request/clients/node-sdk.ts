import * as lark from "@larksuiteoapi/node-sdk"
import { APP, type Call, MESSAGE } from "../protocol.js"

/** The official SDK with its own token cache (no single-flight: the first concurrent calls each fetch one). */
export const make = async (url: string): Promise<Call> => {
  const client = new lark.Client({ ...APP, domain: url, loggerLevel: lark.LoggerLevel.error })
  return async () => {
    const answer = await client.im.message.create(MESSAGE)
    if (answer.code !== 0) throw new Error(`node-sdk: code ${answer.code}: ${answer.msg}`)
  }
}
