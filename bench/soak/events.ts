/**
 * Soak subject: encrypted, signed webhook events through `handle` (Encrypt Key and Verification Token
 * configured), one `runPromise` per request, on the subject's clock; each slice of deliveries is made just
 * before it is handled.
 */
import * as Effect from "effect/Effect"
import * as EventDispatcher from "../../src/events/EventDispatcher.js"
import { handle } from "../../src/events/handle.js"
import { withClock } from "../../src/internal/dialect.js"
import { delivery, KEY, TOKEN } from "../events/side.js"
import { clock, runSubject } from "./subject.js"

const SLICE = 500

const handler = handle(EventDispatcher.make({ encryptKey: KEY, verificationToken: TOKEN }).on("im.message.receive_v1", () => Effect.void))

let made = 0
void runSubject(async (count) => {
  for (let done = 0; done < count; done += SLICE) {
    const slice = Array.from({ length: Math.min(SLICE, count - done) }, () => delivery(made++))
    for (const { headers, rawBody } of slice) {
      const { status } = await Effect.runPromise(withClock(handler({ method: "POST", headers, rawBody }), clock))
      if (status !== 200) throw new Error(`lark-effect answered ${status}`)
    }
  }
})
