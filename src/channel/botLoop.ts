/**
 * The bot-loop guard (opt-in): two bots that answer each other's mentions would talk forever. It counts,
 * per chat (or per sending bot), the messages from bots that mention this bot inside a sliding window;
 * once more than `maxBotMentions` arrive within `windowMs`, further ones are held back with `bot_loop`.
 * Pure: the caller keeps the state and passes the time in.
 */
export interface BotLoopGuardConfig {
  readonly windowMs: number
  readonly maxBotMentions: number
  readonly scope: "chat" | "sender"
  /** `drop` holds the message back silently, `reject` also emits a `Rejected` event. */
  readonly onTrip: "drop" | "reject"
}

export const defaultBotLoopGuard: BotLoopGuardConfig = { windowMs: 60_000, maxBotMentions: 5, scope: "chat", onTrip: "drop" }

/** Recent bot-mention times, by scope key. */
export type BotLoopState = ReadonlyMap<string, ReadonlyArray<number>>

export const emptyBotLoopState: BotLoopState = new Map()

export interface BotLoopInput {
  readonly chatId: string
  readonly sender: { readonly openId: string; readonly isBot: boolean }
  readonly mentionedBot: boolean
}

export interface BotLoopStep {
  readonly tripped: boolean
  readonly state: BotLoopState
}

/** Counts `input` at `nowMs` and says whether the guard trips; messages from people never count. */
export const botLoopStep = (
  config: BotLoopGuardConfig,
  state: BotLoopState,
  input: BotLoopInput,
  nowMs: number
): BotLoopStep => {
  if (!input.sender.isBot || !input.mentionedBot) return { tripped: false, state }
  const key = config.scope === "chat" ? input.chatId : `${input.chatId}/${input.sender.openId}`
  const recent = [...(state.get(key) ?? []).filter((t) => nowMs - t < config.windowMs), nowMs]
  const next = new Map(state)
  next.set(key, recent)
  return { tripped: recent.length > config.maxBotMentions, state: next }
}
