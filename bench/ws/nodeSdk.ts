/** The node-sdk client of `bench/ws`: a `WSClient` whose handler does nothing. */
import * as lark from "@larksuiteoapi/node-sdk"
import { APP } from "../shared/app.js"
import { runClient } from "./client.js"

void runClient(async (url) => {
  const client = new lark.WSClient({ ...APP, domain: url, loggerLevel: lark.LoggerLevel.error })
  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({
    "im.message.receive_v1": async () => {}
  })
  await client.start({ eventDispatcher: dispatcher })
})
