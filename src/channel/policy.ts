/**
 * The admission policy: which inbound messages reach the handlers. A pure decision table, in the order
 * of the Python channel SDK (spec B7), with a reason for every drop:
 *
 * 1. A sender in `admins` is admitted; nothing else is checked.
 * 2. `group` and `topic` chats follow the group rules, every other chat the DM rules.
 * 3. Group: the chat's override disabled, or policy `disabled` → `policy_group_disabled`; `blocklist`
 *    (the override's `denyFrom` senders, else the global `groupBlocklist` chat ids) → `policy_blocklist`;
 *    `admin_only` → `policy_admin_only`; `allowlist` (the override's `allowFrom` senders, else the global
 *    `groupAllowlist` chat ids) → `policy_group_not_in_allowlist`; mention required but the bot not
 *    mentioned (an `@all` counts only with `respondToMentionAll`) → `policy_no_mention`; an `@all` without
 *    the bot's mention while `@all` is not answered → `policy_mention_all_blocked`; a non-empty global
 *    `allowFrom` that does not list the sender → `policy_sender_not_allowed`.
 * 4. DM: `disabled` → `policy_dm_disabled`; `blocklist` and the sender in `denyFrom` → `policy_blocklist`;
 *    `allowlist` and the sender not in `allowFrom` → `policy_dm_not_in_allowlist`.
 * 5. An app id (`cli_...`) in `allowFrom` or `groupAllowlist` matches nothing ({@link policyWarnings}).
 *
 * {@link policyProblem} says why a policy cannot be used at all (an unknown mode, a list that is not one);
 * `Channel.make` and `updatePolicy` refuse such a policy.
 */
import { withDefaults } from "../internal/defaults.js"
import { isObject } from "./json.js"
import type { ChatType, Sender } from "./Message.js"

const DM_POLICIES = ["open", "allowlist", "blocklist", "disabled"] as const
const GROUP_POLICIES = [...DM_POLICIES, "admin_only"] as const
const IDENTITY_FIELDS = ["openId", "userId", "unionId"] as const

export type DmPolicy = (typeof DM_POLICIES)[number]
export type GroupPolicy = (typeof GROUP_POLICIES)[number]

/** Which of a sender's ids are compared with the lists. */
export type IdentityField = (typeof IDENTITY_FIELDS)[number]

/** Per-chat settings; anything left out falls back to the global value. */
export interface GroupOverride {
  /** `false` turns the bot off in this chat. */
  readonly enabled?: boolean | undefined
  readonly policy?: GroupPolicy | undefined
  /** Senders admitted under `allowlist` in this chat. */
  readonly allowFrom?: ReadonlyArray<string> | undefined
  /** Senders refused under `blocklist` in this chat. */
  readonly denyFrom?: ReadonlyArray<string> | undefined
  readonly requireMention?: boolean | undefined
  readonly respondToMentionAll?: boolean | undefined
}

export interface PolicyConfig {
  readonly dmPolicy: DmPolicy
  readonly groupPolicy: GroupPolicy
  readonly requireMention: boolean
  readonly respondToMentionAll: boolean
  readonly admins: ReadonlyArray<string>
  /** Senders: the DM allowlist, and in groups a final sender filter when not empty. */
  readonly allowFrom: ReadonlyArray<string>
  /** Senders refused by the DM blocklist. */
  readonly denyFrom: ReadonlyArray<string>
  /** Chat ids admitted by the group allowlist. */
  readonly groupAllowlist: ReadonlyArray<string>
  /** Chat ids refused by the group blocklist. */
  readonly groupBlocklist: ReadonlyArray<string>
  /** By chat id. */
  readonly groupOverrides: Readonly<Record<string, GroupOverride>>
  readonly senderIdentityFields: ReadonlyArray<IdentityField>
}

export const defaultPolicy: PolicyConfig = {
  dmPolicy: "open",
  groupPolicy: "open",
  requireMention: true,
  respondToMentionAll: false,
  admins: [],
  allowFrom: [],
  denyFrom: [],
  groupAllowlist: [],
  groupBlocklist: [],
  groupOverrides: {},
  senderIdentityFields: ["openId"]
}

/** The defaults with some settings changed (a setting given as `undefined` keeps its default). */
export const makePolicy = (options: Partial<PolicyConfig> = {}): PolicyConfig => withDefaults(defaultPolicy, options)

// ---------------------------------------------------------------------------------------------- checks

/** Checks one setting, named `name`: answers the problem, if any. */
type Check = (name: string, value: unknown) => string | undefined

const firstProblem = <A>(items: Iterable<A>, check: (item: A) => string | undefined): string | undefined => {
  for (const item of items) {
    const problem = check(item)
    if (problem !== undefined) return problem
  }
  return undefined
}

const oneOf = (allowed: ReadonlyArray<string>): Check => (name, value) =>
  typeof value === "string" && allowed.includes(value) ? undefined : `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`
const flag: Check = (name, value) => (typeof value === "boolean" ? undefined : `${name} must be true or false`)
const listOf = (check: Check): Check => (name, value) =>
  Array.isArray(value) ? firstProblem(value, (item) => check(name, item)) : `${name} must be a list`
const ids = listOf((name, value) => (typeof value === "string" ? undefined : `${name} must hold strings`))
/** A per-chat setting: absent means the global one. */
const optional = (check: Check): Check => (name, value) => (value === undefined ? undefined : check(name, value))

const OVERRIDE_CHECKS: ReadonlyArray<readonly [keyof GroupOverride, Check]> = [
  ["enabled", optional(flag)],
  ["policy", optional(oneOf(GROUP_POLICIES))],
  ["allowFrom", optional(ids)],
  ["denyFrom", optional(ids)],
  ["requireMention", optional(flag)],
  ["respondToMentionAll", optional(flag)]
]

const POLICY_CHECKS: ReadonlyArray<readonly [Exclude<keyof PolicyConfig, "groupOverrides">, Check]> = [
  ["dmPolicy", oneOf(DM_POLICIES)],
  ["groupPolicy", oneOf(GROUP_POLICIES)],
  ["requireMention", flag],
  ["respondToMentionAll", flag],
  ["admins", ids],
  ["allowFrom", ids],
  ["denyFrom", ids],
  ["groupAllowlist", ids],
  ["groupBlocklist", ids],
  ["senderIdentityFields", listOf(oneOf(IDENTITY_FIELDS))]
]

const settingsProblem = (prefix: string, settings: Readonly<Record<string, unknown>>, checks: ReadonlyArray<readonly [string, Check]>) =>
  firstProblem(checks, ([key, check]) => check(`${prefix}.${key}`, settings[key]))

/**
 * Why `config` cannot be used, if it cannot: the types say what each setting holds, but a JavaScript caller, a
 * config file or a typo can put anything there, and `decide` runs on every message.
 */
export const policyProblem = (config: PolicyConfig): string | undefined => {
  if (!isObject(config)) return "policy must be an object"
  const overrides: unknown = config.groupOverrides
  if (!isObject(overrides)) return "policy.groupOverrides must be an object of settings by chat id"
  return settingsProblem("policy", config, POLICY_CHECKS) ??
    firstProblem(Object.entries(overrides), ([chatId, override]) =>
      isObject(override)
        ? settingsProblem(`policy.groupOverrides.${chatId}`, override, OVERRIDE_CHECKS)
        : `policy.groupOverrides.${chatId} must be an object`)
}

export type PolicyReason =
  | "policy_group_disabled"
  | "policy_blocklist"
  | "policy_admin_only"
  | "policy_group_not_in_allowlist"
  | "policy_no_mention"
  | "policy_mention_all_blocked"
  | "policy_sender_not_allowed"
  | "policy_dm_disabled"
  | "policy_dm_not_in_allowlist"

/** Every reason a message can be held back, by the policy or by the safety checks. */
export type RejectReason = PolicyReason | "self_sent" | "stale" | "duplicate" | "bot_loop"

export type Decision =
  | { readonly _tag: "Admit"; readonly by: "admin" | "policy" }
  /** `silent`: held back without a `Rejected` event. */
  | { readonly _tag: "Drop"; readonly reason: RejectReason; readonly silent?: boolean | undefined }

export const admit = (by: "admin" | "policy"): Decision => ({ _tag: "Admit", by })
export const drop = (reason: RejectReason, silent?: boolean): Decision =>
  silent === true ? { _tag: "Drop", reason, silent } : { _tag: "Drop", reason }

/** What the policy looks at in a message. */
export interface PolicyInput {
  readonly chatId: string
  readonly chatType: ChatType
  readonly sender: Pick<Sender, "openId" | "userId" | "unionId">
  readonly mentionedBot: boolean
  readonly mentionAll: boolean
}

const isAppId = (id: string): boolean => id.startsWith("cli_")

const senderIn = (config: PolicyConfig, sender: PolicyInput["sender"], list: ReadonlyArray<string>): boolean =>
  config.senderIdentityFields.some((field) => {
    const id = sender[field]
    return id !== undefined && id !== "" && !isAppId(id) && list.includes(id)
  })

const chatIn = (chatId: string, list: ReadonlyArray<string>): boolean => !isAppId(chatId) && list.includes(chatId)

const groupDecision = (config: PolicyConfig, input: PolicyInput): Decision => {
  const override = config.groupOverrides[input.chatId]
  const policy = override?.policy ?? config.groupPolicy
  if (override?.enabled === false || policy === "disabled") return drop("policy_group_disabled")
  if (policy === "blocklist") {
    const blocked = override?.denyFrom !== undefined
      ? senderIn(config, input.sender, override.denyFrom)
      : chatIn(input.chatId, config.groupBlocklist)
    if (blocked) return drop("policy_blocklist")
  }
  // Admins were admitted before the group rules ran, so here everyone is a non-admin.
  if (policy === "admin_only") return drop("policy_admin_only")
  if (policy === "allowlist") {
    const allowed = override?.allowFrom !== undefined
      ? senderIn(config, input.sender, override.allowFrom)
      : chatIn(input.chatId, config.groupAllowlist)
    if (!allowed) return drop("policy_group_not_in_allowlist")
  }
  const requireMention = override?.requireMention ?? config.requireMention
  const respondToMentionAll = override?.respondToMentionAll ?? config.respondToMentionAll
  const addressed = input.mentionedBot || (input.mentionAll && respondToMentionAll)
  if (requireMention && !addressed) return drop("policy_no_mention")
  if (input.mentionAll && !input.mentionedBot && !respondToMentionAll) return drop("policy_mention_all_blocked")
  if (config.allowFrom.length > 0 && !senderIn(config, input.sender, config.allowFrom)) {
    return drop("policy_sender_not_allowed")
  }
  return admit("policy")
}

const dmDecision = (config: PolicyConfig, input: PolicyInput): Decision => {
  switch (config.dmPolicy) {
    case "disabled":
      return drop("policy_dm_disabled")
    case "blocklist":
      return senderIn(config, input.sender, config.denyFrom) ? drop("policy_blocklist") : admit("policy")
    case "allowlist":
      return senderIn(config, input.sender, config.allowFrom) ? admit("policy") : drop("policy_dm_not_in_allowlist")
    case "open":
      return admit("policy")
  }
}

/** Decides whether `input` reaches the handlers (see the module comment for the order). */
export const decide = (config: PolicyConfig, input: PolicyInput): Decision => {
  if (senderIn(config, input.sender, config.admins)) return admit("admin")
  return input.chatType === "group" || input.chatType === "topic" ? groupDecision(config, input) : dmDecision(config, input)
}

/** Settings that cannot work as written: app ids (`cli_...`) where user or chat ids belong. */
export const policyWarnings = (config: PolicyConfig): ReadonlyArray<string> => [
  ...config.allowFrom.filter(isAppId).map((id) => `allowFrom contains the app id ${id}; app ids match no sender`),
  ...config.groupAllowlist.filter(isAppId).map((id) => `groupAllowlist contains the app id ${id}; it is not a chat id`)
]
