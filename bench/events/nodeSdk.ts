/**
 * node-sdk's side of `bench/events`: parse, attach the headers on the prototype (as its adapters do), invoke.
 * Its Verification Token is configured too (it checks the token on card callbacks only).
 */
import * as lark from "@larksuiteoapi/node-sdk"
import { KEY, runSide, TOKEN } from "./side.js"

let handled = 0
const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, verificationToken: TOKEN, loggerLevel: lark.LoggerLevel.error }).register({
  "im.message.receive_v1": async () => {
    handled++
  }
})

void runSide({
  handled: () => handled,
  run: async (deliveries) => {
    for (const { headers, rawBody } of deliveries) {
      await dispatcher.invoke(Object.assign(Object.create({ headers }), JSON.parse(rawBody.toString("utf8"))))
    }
  }
})
