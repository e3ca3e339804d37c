/** Admission: screen + policy + bot-loop guard with state, run-time policy updates, Rejected events. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { makeAdmission, rejection } from "../../src/channel/admission.js"
import { defaultBotLoopGuard } from "../../src/channel/botLoop.js"
import { ChannelConfigError } from "../../src/channel/errors.js"
import type { Message } from "../../src/channel/Message.js"
import { makePolicy } from "../../src/channel/policy.js"
import { channelMessage } from "../fixtures/message.js"

/** A group message mentioning the bot. */
const message = (overrides: Partial<Message> = {}): Message =>
  channelMessage({ chatType: "group", mentionedBot: true, ...overrides })

const fromBot = message({ sender: { openId: "ou_other_bot", type: "app", isBot: true } })

describe("Admission", () => {
  it.effect("the bot-loop guard trips after five bot mentions and recovers after the window", () =>
    Effect.gen(function*() {
      const admission = yield* makeAdmission({ policy: makePolicy(), botOpenId: "ou_me", botLoopGuard: defaultBotLoopGuard })
      const tags: Array<string> = []
      for (let i = 0; i < 6; i++) {
        const d = yield* admission.check(fromBot)
        tags.push(d._tag === "Drop" ? `${d.reason}${d.silent === true ? "/silent" : ""}` : d._tag)
      }
      assert.deepStrictEqual(tags, ["Admit", "Admit", "Admit", "Admit", "Admit", "bot_loop/silent"])
      // People are not held back by the guard.
      assert.strictEqual((yield* admission.check(message()))._tag, "Admit")
      yield* TestClock.adjust("61 seconds")
      const later = yield* admission.check({ ...fromBot, createTime: 61_000 })
      assert.strictEqual(later._tag, "Admit")
    }))

  it.effect("onTrip reject makes the drop visible", () =>
    Effect.gen(function*() {
      const admission = yield* makeAdmission({ policy: makePolicy(), botLoopGuard: { ...defaultBotLoopGuard, maxBotMentions: 0, onTrip: "reject" } })
      const d = yield* admission.check(fromBot)
      assert.deepStrictEqual(d, { _tag: "Drop", reason: "bot_loop" })
      assert.isTrue(Option.isSome(rejection(fromBot, d)))
    }))

  it.effect("without a guard bots are admitted like anyone", () =>
    Effect.gen(function*() {
      const admission = yield* makeAdmission({ policy: makePolicy() })
      for (let i = 0; i < 10; i++) assert.strictEqual((yield* admission.check(fromBot))._tag, "Admit")
    }))

  it.effect("the policy can be replaced at run time", () =>
    Effect.gen(function*() {
      const admission = yield* makeAdmission({ policy: makePolicy() })
      assert.strictEqual((yield* admission.check(message({ mentionedBot: false })))._tag, "Drop")
      yield* admission.updatePolicy((p) => ({ ...p, requireMention: false }))
      assert.strictEqual((yield* admission.check(message({ mentionedBot: false })))._tag, "Admit")
      assert.isFalse((yield* admission.policy).requireMention)
    }))

  it.effect("a policy that cannot be used is refused with a ChannelConfigError and the one in force stays", () =>
    Effect.gen(function*() {
      const admission = yield* makeAdmission({ policy: makePolicy({ requireMention: false }) })
      const refused = yield* Effect.flip(admission.updatePolicy((p) => ({ ...p, dmPolicy: "closed" as never, allowFrom: undefined as never })))
      assert.instanceOf(refused, ChannelConfigError)
      assert.include(refused.detail, "policy.dmPolicy")
      assert.deepStrictEqual(yield* admission.policy, makePolicy({ requireMention: false }))
      assert.strictEqual((yield* admission.check(message({ mentionedBot: false })))._tag, "Admit")
      assert.strictEqual((yield* admission.check(message({ chatType: "p2p" })))._tag, "Admit")
    }))

  it("rejection carries the reason, ids and sender; admits and silent drops emit nothing", () => {
    const m = message({ sender: { openId: "ou_alice", userId: "a1", type: "user", isBot: false } })
    const r = rejection(m, { _tag: "Drop", reason: "policy_no_mention" })
    assert.deepStrictEqual(Option.getOrThrow(r), {
      _tag: "Rejected",
      reason: "policy_no_mention",
      messageId: "om_1",
      chatId: "oc_1",
      sender: { openId: "ou_alice", unionId: undefined, userId: "a1" }
    } as never)
    assert.isTrue(Option.isNone(rejection(m, { _tag: "Admit", by: "policy" })))
    assert.isTrue(Option.isNone(rejection(m, { _tag: "Drop", reason: "bot_loop", silent: true })))
  })
})
