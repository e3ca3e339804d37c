/**
 * The bot-loop guard (opt-in): two bots that answer each other's mentions would talk forever. It counts,
 * per chat (or per sending bot), the messages from bots that mention this bot inside a sliding window;
 * once more than `maxBotMentions` arrive within `windowMs`, further ones are held back with `bot_loop`.
 * The guard keeps its own counts (only of keys active within the window); the caller passes the time in.
 */
export interface BotLoopGuardConfig {
  readonly windowMs: number
  readonly maxBotMentions: number
  readonly scope: "chat" | "sender"
  /** `drop` holds the message back silently, `reject` also emits a `Rejected` event. */
  readonly onTrip: "drop" | "reject"
}

export const defaultBotLoopGuard: BotLoopGuardConfig = { windowMs: 60_000, maxBotMentions: 5, scope: "chat", onTrip: "drop" }

/** What makes a guard unusable (a limit that never trips, an unknown mode), or `undefined` when it is fine. */
export const botLoopGuardProblem = (config: BotLoopGuardConfig): string | undefined => {
  if (!(config.windowMs > 0)) return "botLoopGuard.windowMs must be positive"
  if (!(Number.isInteger(config.maxBotMentions) && config.maxBotMentions >= 1)) return "botLoopGuard.maxBotMentions must be a whole number ≥ 1"
  if (config.scope !== "chat" && config.scope !== "sender") return "botLoopGuard.scope must be \"chat\" or \"sender\""
  if (config.onTrip !== "drop" && config.onTrip !== "reject") return "botLoopGuard.onTrip must be \"drop\" or \"reject\""
  return undefined
}

export interface BotLoopInput {
  readonly chatId: string
  readonly sender: { readonly openId: string; readonly isBot: boolean }
  readonly mentionedBot: boolean
}

/** A guard with its own counts: `step` counts `input` at `nowMs` and says whether the guard trips. */
export interface BotLoopGuard {
  readonly step: (input: BotLoopInput, nowMs: number) => boolean
  /** How many scope keys have a mention inside the window (or not yet forgotten). */
  readonly keys: () => number
}

/**
 * A guard for `config`. Messages from people never count. A key is kept only while it had a mention within
 * the window, and only the last `maxBotMentions + 1` times of one, so memory follows the chats that are
 * active, not all the chats ever seen, and a step costs the same however many there were.
 */
export const makeBotLoopGuard = (config: BotLoopGuardConfig): BotLoopGuard => {
  // Recent mention times by key, in last-touch order: the keys quiet for a whole window come first.
  const recent = new Map<string, Array<number>>()
  const forgetQuiet = (nowMs: number) => {
    for (const [key, times] of recent) {
      if (nowMs - times[times.length - 1]! < config.windowMs) return
      recent.delete(key)
    }
  }
  const step = (input: BotLoopInput, nowMs: number): boolean => {
    if (!input.sender.isBot || !input.mentionedBot) return false
    forgetQuiet(nowMs)
    const key = config.scope === "chat" ? input.chatId : `${input.chatId}/${input.sender.openId}`
    const times = (recent.get(key) ?? []).filter((t) => nowMs - t < config.windowMs)
    times.push(nowMs)
    if (times.length > config.maxBotMentions + 1) times.shift()
    recent.delete(key)
    recent.set(key, times)
    return times.length > config.maxBotMentions
  }
  return { step, keys: () => recent.size }
}
