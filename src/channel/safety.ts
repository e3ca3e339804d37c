/**
 * The per-message safety checks that run before the admission policy: the bot's own messages and stale
 * messages (a redelivery after a long outage) never reach the handlers. `screen` runs them in order
 * (own message, stale, policy) at a given time and returns one decision.
 */
import * as Duration from "effect/Duration"
import type { DurationInput } from "../internal/dialect.js"
import type { Message } from "./Message.js"
import { decide, type Decision, drop, type PolicyConfig } from "./policy.js"

/** Messages older than this are dropped as `stale` (spec B8: 30 min). */
export const DEFAULT_MAX_AGE: Duration.Duration = Duration.minutes(30)

/** True when the message was created more than `maxAge` before `nowMs`. */
export const isStale = (createTimeMs: number, nowMs: number, maxAge: DurationInput = DEFAULT_MAX_AGE): boolean =>
  nowMs - createTimeMs > Duration.toMillis(maxAge)

/** True when the bot itself sent the message. */
export const isOwnMessage = (message: Pick<Message, "sender">, botOpenId: string | undefined): boolean =>
  botOpenId !== undefined && botOpenId !== "" && message.sender.openId === botOpenId

export interface ScreenOptions {
  readonly policy: PolicyConfig
  readonly botOpenId?: string | undefined
  readonly maxAge?: DurationInput | undefined
}

/** Own-message, stale and policy checks at `now` (epoch milliseconds). */
export const screenAt = (message: Message, options: ScreenOptions, now: number): Decision => {
  if (isOwnMessage(message, options.botOpenId)) return drop("self_sent")
  if (isStale(message.createTime, now, options.maxAge)) return drop("stale")
  return decide(options.policy, message)
}
