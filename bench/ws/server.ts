/**
 * The benchmark's platform side, in its own process so that the client under test has the event loop to
 * itself: the fake long-connection server, driven by one-line commands on stdin, answering one JSON line
 * on stdout per command.
 *
 * - `open <n>`: waits until `n` sockets were accepted in total and one is open.
 * - `burst <count>`: pushes `count` distinct message events to the newest socket at once and waits for all
 *   their acks; answers `{ ms, acks, failed }` (push of the first to ack of the last).
 */
import { createInterface } from "node:readline"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as FakeLongConnection from "../../src/testing/FakeLongConnection.js"

import { APP } from "../shared/app.js"
import { answer as reply } from "../shared/lineProcess.js"

/** A realistic `im.message.receive_v1` (about 700 bytes of JSON). */
const message = (n: number) =>
  FakeLongConnection.event("im.message.receive_v1", {
    sender: {
      sender_id: { union_id: "on_8ed6aa67826108097d9ee143816345", user_id: "e33ggbyz", open_id: "ou_84aad35d084aa403a838cf73ee18467" },
      sender_type: "user",
      tenant_key: "736588c9260f175e"
    },
    message: {
      message_id: `om_5ce6d572455d361153b7cb51da${n}`,
      root_id: "om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
      parent_id: "om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
      create_time: "1609073151345",
      chat_id: "oc_5ce6d572455d361153b7xx51da133945",
      chat_type: "group",
      message_type: "text",
      content: JSON.stringify({ text: `benchmark message number ${n} with some text in it` }),
      mentions: [{ key: "@_user_1", id: { open_id: "ou_84aad35d084aa403a838cf73ee18467" }, name: "Tom", tenant_key: "736588c9260f175e" }]
    }
  }, `evt_bench_${n}`)

const main = async () => {
  const scope = Effect.runSync(Scope.make())
  const fake = await Effect.runPromise(FakeLongConnection.make({ apps: [APP], acceptNegativeBizRt: true }).pipe(Scope.extend(scope)))
  const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)
  let next = 0
  reply({ url: fake.url })
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, arg] = line.trim().split(/\s+/)
    const n = Number(arg)
    if (command === "open") {
      await run(fake.until((v) => v.accepted >= n && v.open >= 1))
      reply({ ok: true })
    } else if (command === "burst") {
      const before = (await run(fake.acks)).length
      // built beforehand: the timed part is the push itself (encoding, socket writes) and the client's work
      const messages = Array.from({ length: n }, () => message(next++))
      const start = performance.now()
      for (const pushed of messages) Effect.runSync(fake.push(pushed))
      await run(fake.until((v) => v.acks.length >= before + n))
      const ms = performance.now() - start
      const acks = (await run(fake.acks)).slice(before)
      reply({ ms, acks: acks.length, failed: acks.filter((ack) => ack.code !== 200).length })
    }
  }
  await run(Scope.close(scope, Exit.void))
}

void main()
