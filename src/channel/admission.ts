/**
 * Admission as a service value: the safety checks and the policy (`screen`), then the optional bot-loop
 * guard, with the policy replaceable at run time (`updatePolicy`, as both official SDKs allow) and the
 * guard's counts kept between messages. `rejection` turns a drop into the `Rejected` event to emit.
 */
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { type BotLoopGuardConfig, botLoopStep, emptyBotLoopState } from "./botLoop.js"
import { ChannelEvent } from "./ChannelEvent.js"
import type { Message } from "./Message.js"
import { type Decision, drop, type PolicyConfig } from "./policy.js"
import { screen } from "./safety.js"

export interface AdmissionOptions {
  readonly policy: PolicyConfig
  readonly botOpenId?: string | undefined
  readonly maxAge?: Duration.DurationInput | undefined
  /** Off unless given. */
  readonly botLoopGuard?: BotLoopGuardConfig | undefined
}

export interface Admission {
  readonly check: (message: Message) => Effect.Effect<Decision>
  readonly policy: Effect.Effect<PolicyConfig>
  readonly updatePolicy: (f: (current: PolicyConfig) => PolicyConfig) => Effect.Effect<void>
}

export const makeAdmission = (options: AdmissionOptions): Effect.Effect<Admission> =>
  Effect.gen(function*() {
    const policy = yield* Ref.make(options.policy)
    const loops = yield* Ref.make(emptyBotLoopState)
    const guard = options.botLoopGuard

    const botLoop = (message: Message): Effect.Effect<Decision | undefined> =>
      guard === undefined ? Effect.succeed(undefined) : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(loops, (state) => {
          const step = botLoopStep(guard, state, message, now)
          return [step.tripped ? drop("bot_loop", guard.onTrip === "drop") : undefined, step.state] as const
        }))

    const check = (message: Message) =>
      Effect.gen(function*() {
        const decision = yield* screen(message, { ...options, policy: yield* Ref.get(policy) })
        if (decision._tag === "Drop") return decision
        return (yield* botLoop(message)) ?? decision
      })

    return { check, policy: Ref.get(policy), updatePolicy: (f) => Ref.update(policy, f) } satisfies Admission
  })

/** The `Rejected` event for a drop that is not silent. */
export const rejection = (message: Message, decision: Decision): Option.Option<ChannelEvent> =>
  decision._tag === "Drop" && decision.silent !== true
    ? Option.some(ChannelEvent.Rejected({
      reason: decision.reason,
      messageId: message.messageId,
      chatId: message.chatId,
      sender: { openId: message.sender.openId, unionId: message.sender.unionId, userId: message.sender.userId }
    }))
    : Option.none()
