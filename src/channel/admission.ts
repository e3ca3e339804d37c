/**
 * Admission as a service value: the safety checks and the policy (`screen`), then the optional bot-loop
 * guard, with the policy replaceable at run time (`updatePolicy`, as both official SDKs allow) and the
 * guard's counts kept between messages. `rejection` turns a drop into the `Rejected` event to emit.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { currentTimeMillis, type DurationInput } from "../internal/dialect.js"
import { type BotLoopGuardConfig, makeBotLoopGuard } from "./botLoop.js"
import { ChannelEvent } from "./ChannelEvent.js"
import { ChannelConfigError } from "./errors.js"
import type { Message } from "./Message.js"
import { type Decision, drop, type PolicyConfig, policyProblem } from "./policy.js"
import { screenAt } from "./safety.js"

export interface AdmissionOptions {
  readonly policy: PolicyConfig
  readonly botOpenId?: string | undefined
  readonly maxAge?: DurationInput | undefined
  /** Off unless given. */
  readonly botLoopGuard?: BotLoopGuardConfig | undefined
}

export interface Admission {
  readonly check: (message: Message) => Effect.Effect<Decision>
  readonly policy: Effect.Effect<PolicyConfig>
  /** Replaces the policy with `f`'s; a policy that cannot be used (`policyProblem`) fails and changes nothing. */
  readonly updatePolicy: (f: (current: PolicyConfig) => PolicyConfig) => Effect.Effect<void, ChannelConfigError>
}

export const makeAdmission = (options: AdmissionOptions): Effect.Effect<Admission> =>
  Effect.sync(() => {
    // Plain state changed only inside synchronous blocks: a check reads the clock once and decides
    // synchronously (it runs for every message).
    let policy = options.policy
    const guard = options.botLoopGuard
    const loops = guard === undefined ? undefined : makeBotLoopGuard(guard)

    const decideAt = (message: Message, now: number): Decision => {
      const decision = screenAt(message, { ...options, policy }, now)
      if (decision._tag === "Drop" || guard === undefined || loops === undefined) return decision
      return loops.step(message, now) ? drop("bot_loop", guard.onTrip === "drop") : decision
    }

    return {
      // `clockWith` runs its function when the check runs: one step, no `Effect.sync` inside
      check: (message) => Effect.clockWith((clock) => Effect.succeed(decideAt(message, currentTimeMillis(clock)))),
      policy: Effect.sync(() => policy),
      updatePolicy: (f) =>
        Effect.suspend(() => {
          const next = f(policy)
          const problem = policyProblem(next)
          if (problem !== undefined) return Effect.fail(new ChannelConfigError({ detail: problem }))
          policy = next
          return Effect.void
        })
    } satisfies Admission
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
