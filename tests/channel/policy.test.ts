/** The admission policy: each decision and reason, in the Python order (spec B7), and the bot-loop guard. */
import { assert, describe, it } from "@effect/vitest"
import { defaultBotLoopGuard, makeBotLoopGuard } from "../../src/channel/botLoop.js"
import {
  decide,
  defaultPolicy,
  makePolicy,
  type PolicyConfig,
  type PolicyInput,
  policyProblem,
  policyWarnings
} from "../../src/channel/policy.js"

const ADMIN = "ou_admin"
const ALICE = "ou_alice"

const group = (overrides: Partial<PolicyInput> = {}): PolicyInput => ({
  chatId: "oc_team",
  chatType: "group",
  sender: { openId: ALICE, userId: "alice1" },
  mentionedBot: true,
  mentionAll: false,
  ...overrides
})
const dm = (overrides: Partial<PolicyInput> = {}): PolicyInput => group({ chatId: "oc_dm", chatType: "p2p", mentionedBot: false, ...overrides })

const reason = (config: PolicyConfig, input: PolicyInput) => {
  const d = decide(config, input)
  return d._tag === "Drop" ? d.reason : `admit:${d.by}`
}

describe("defaults", () => {
  const p = makePolicy()
  it("open DMs are admitted without a mention", () => assert.strictEqual(reason(p, dm()), "admit:policy"))
  it("group messages need the bot's mention", () => {
    assert.strictEqual(reason(p, group()), "admit:policy")
    assert.strictEqual(reason(p, group({ mentionedBot: false })), "policy_no_mention")
  })
  it("@all alone is not enough; @all with the bot's mention is", () => {
    assert.strictEqual(reason(p, group({ mentionedBot: false, mentionAll: true })), "policy_no_mention")
    assert.strictEqual(reason(p, group({ mentionedBot: true, mentionAll: true })), "admit:policy")
  })
  it("topic chats follow the group rules, unknown chat types the DM rules", () => {
    assert.strictEqual(reason(p, group({ chatType: "topic", mentionedBot: false })), "policy_no_mention")
    assert.strictEqual(reason(p, group({ chatType: "unknown", mentionedBot: false })), "admit:policy")
  })
})

describe("admins", () => {
  it("an admin passes every rule, matched by the configured identity fields", () => {
    const p = makePolicy({ admins: [ADMIN], dmPolicy: "disabled", groupPolicy: "disabled" })
    assert.strictEqual(reason(p, dm({ sender: { openId: ADMIN } })), "admit:admin")
    assert.strictEqual(reason(p, group({ sender: { openId: ADMIN }, mentionedBot: false })), "admit:admin")
    const byUserId = makePolicy({ admins: ["boss1"], senderIdentityFields: ["userId"], dmPolicy: "disabled" })
    assert.strictEqual(reason(byUserId, dm({ sender: { openId: "ou_x", userId: "boss1" } })), "admit:admin")
    assert.strictEqual(reason(makePolicy({ admins: ["boss1"], dmPolicy: "disabled" }), dm({ sender: { openId: "ou_x", userId: "boss1" } })), "policy_dm_disabled")
  })
})

describe("group rules", () => {
  it("disabled globally or by the chat's override", () => {
    assert.strictEqual(reason(makePolicy({ groupPolicy: "disabled" }), group()), "policy_group_disabled")
    assert.strictEqual(reason(makePolicy({ groupOverrides: { oc_team: { enabled: false } } }), group()), "policy_group_disabled")
    assert.strictEqual(reason(makePolicy({ groupOverrides: { oc_team: { policy: "disabled" } } }), group()), "policy_group_disabled")
    assert.strictEqual(reason(makePolicy({ groupOverrides: { oc_other: { enabled: false } } }), group()), "admit:policy")
  })

  it("blocklist: global list of chats, override list of senders", () => {
    const global = makePolicy({ groupPolicy: "blocklist", groupBlocklist: ["oc_team"] })
    assert.strictEqual(reason(global, group()), "policy_blocklist")
    assert.strictEqual(reason(global, group({ chatId: "oc_fine" })), "admit:policy")
    const perChat = makePolicy({ groupOverrides: { oc_team: { policy: "blocklist", denyFrom: [ALICE] } }, groupBlocklist: ["oc_team"] })
    assert.strictEqual(reason(perChat, group()), "policy_blocklist")
    assert.strictEqual(reason(perChat, group({ sender: { openId: "ou_bob" } })), "admit:policy")
  })

  it("admin_only refuses everyone but admins", () => {
    const p = makePolicy({ groupPolicy: "admin_only", admins: [ADMIN] })
    assert.strictEqual(reason(p, group()), "policy_admin_only")
    assert.strictEqual(reason(p, group({ sender: { openId: ADMIN } })), "admit:admin")
  })

  it("allowlist: global list of chats, override list of senders", () => {
    const global = makePolicy({ groupPolicy: "allowlist", groupAllowlist: ["oc_team"] })
    assert.strictEqual(reason(global, group()), "admit:policy")
    assert.strictEqual(reason(global, group({ chatId: "oc_else" })), "policy_group_not_in_allowlist")
    const perChat = makePolicy({ groupOverrides: { oc_team: { policy: "allowlist", allowFrom: ["ou_bob"] } } })
    assert.strictEqual(reason(perChat, group()), "policy_group_not_in_allowlist")
    assert.strictEqual(reason(perChat, group({ sender: { openId: "ou_bob" } })), "admit:policy")
  })

  it("requireMention off: anything but a bare @all is admitted", () => {
    const p = makePolicy({ requireMention: false })
    assert.strictEqual(reason(p, group({ mentionedBot: false })), "admit:policy")
    assert.strictEqual(reason(p, group({ mentionedBot: false, mentionAll: true })), "policy_mention_all_blocked")
  })

  it("respondToMentionAll: @all counts as addressing the bot", () => {
    const p = makePolicy({ respondToMentionAll: true })
    assert.strictEqual(reason(p, group({ mentionedBot: false, mentionAll: true })), "admit:policy")
    assert.strictEqual(reason(p, group({ mentionedBot: false })), "policy_no_mention")
  })

  it("per-chat overrides of the mention rules", () => {
    const p = makePolicy({ groupOverrides: { oc_team: { requireMention: false, respondToMentionAll: true } } })
    assert.strictEqual(reason(p, group({ mentionedBot: false })), "admit:policy")
    assert.strictEqual(reason(p, group({ mentionedBot: false, mentionAll: true })), "admit:policy")
    assert.strictEqual(reason(p, group({ chatId: "oc_other", mentionedBot: false })), "policy_no_mention")
  })

  it("a non-empty allowFrom filters group senders last", () => {
    const p = makePolicy({ allowFrom: ["ou_bob"] })
    assert.strictEqual(reason(p, group()), "policy_sender_not_allowed")
    assert.strictEqual(reason(p, group({ sender: { openId: "ou_bob" } })), "admit:policy")
    // The mention check comes first.
    assert.strictEqual(reason(p, group({ mentionedBot: false })), "policy_no_mention")
  })

  it("the chat rules run before the mention rule", () => {
    assert.strictEqual(reason(makePolicy({ groupPolicy: "admin_only" }), group({ mentionedBot: false })), "policy_admin_only")
  })
})

describe("DM rules", () => {
  it("disabled", () => assert.strictEqual(reason(makePolicy({ dmPolicy: "disabled" }), dm()), "policy_dm_disabled"))
  it("blocklist uses denyFrom", () => {
    const p = makePolicy({ dmPolicy: "blocklist", denyFrom: [ALICE] })
    assert.strictEqual(reason(p, dm()), "policy_blocklist")
    assert.strictEqual(reason(p, dm({ sender: { openId: "ou_bob" } })), "admit:policy")
  })
  it("allowlist uses allowFrom", () => {
    const p = makePolicy({ dmPolicy: "allowlist", allowFrom: ["ou_bob"] })
    assert.strictEqual(reason(p, dm()), "policy_dm_not_in_allowlist")
    assert.strictEqual(reason(p, dm({ sender: { openId: "ou_bob" } })), "admit:policy")
  })
  it("the group lists do not apply to DMs", () => {
    const p = makePolicy({ groupPolicy: "disabled", denyFrom: [ALICE] })
    assert.strictEqual(reason(p, dm()), "admit:policy")
  })
})

describe("app ids in the lists", () => {
  it("match nothing and are reported", () => {
    const p = makePolicy({ dmPolicy: "allowlist", allowFrom: ["cli_a1b2c3d4e5f60718"], groupAllowlist: ["cli_x"], groupPolicy: "allowlist" })
    assert.strictEqual(reason(p, dm({ sender: { openId: "cli_a1b2c3d4e5f60718" } })), "policy_dm_not_in_allowlist")
    assert.strictEqual(reason(p, group({ chatId: "cli_x" })), "policy_group_not_in_allowlist")
    assert.strictEqual(policyWarnings(p).length, 2)
    assert.deepStrictEqual(policyWarnings(makePolicy()), [])
  })
})

describe("settings from JavaScript, where the types do not hold", () => {
  it("a setting given as undefined keeps its default", () => {
    const p = makePolicy({ allowFrom: undefined, dmPolicy: undefined, groupOverrides: undefined, senderIdentityFields: undefined })
    assert.deepStrictEqual(p, defaultPolicy)
    assert.strictEqual(reason(p, group()), "admit:policy")
    assert.strictEqual(reason(p, dm()), "admit:policy")
  })

  it("an unknown value, a missing one or a list that is not one of strings is a problem, named", () => {
    const problems = [
      [{ dmPolicy: "closed" }, `policy.dmPolicy must be one of "open", "allowlist", "blocklist", "disabled"`],
      [{ groupPolicy: undefined }, `policy.groupPolicy must be one of "open", "allowlist", "blocklist", "disabled", "admin_only"`],
      [{ requireMention: "no" }, "policy.requireMention must be true or false"],
      [{ allowFrom: "ou_bob" }, "policy.allowFrom must be a list"],
      [{ admins: [ADMIN, 7] }, "policy.admins must hold strings"],
      [{ senderIdentityFields: ["openId", "email"] }, `policy.senderIdentityFields must be one of "openId", "userId", "unionId"`],
      [{ groupOverrides: null }, "policy.groupOverrides must be an object of settings by chat id"],
      [{ groupOverrides: { oc_team: "off" } }, "policy.groupOverrides.oc_team must be an object"],
      [{ groupOverrides: { oc_team: { policy: "admin-only" } } }, `policy.groupOverrides.oc_team.policy must be one of "open", "allowlist", "blocklist", "disabled", "admin_only"`],
      [{ groupOverrides: { oc_team: { denyFrom: [null] } } }, "policy.groupOverrides.oc_team.denyFrom must hold strings"]
    ] as const
    for (const [change, problem] of problems) {
      assert.strictEqual(policyProblem({ ...defaultPolicy, ...change } as never), problem, JSON.stringify(change))
    }
    assert.strictEqual(policyProblem(undefined as never), "policy must be an object")
    assert.isUndefined(policyProblem(makePolicy({ groupOverrides: { oc_team: { policy: "allowlist", allowFrom: [ALICE], enabled: undefined } } })))
  })
})

describe("bot-loop guard", () => {
  const fromBot = { chatId: "oc_team", sender: { openId: "ou_otherbot", isBot: true }, mentionedBot: true }

  const run = (times: ReadonlyArray<number>, input = fromBot, config = defaultBotLoopGuard) => {
    const guard = makeBotLoopGuard(config)
    return times.map((t) => guard.step(input, t))
  }

  it("trips on the sixth bot mention inside 60 s", () => {
    assert.deepStrictEqual(run([0, 1, 2, 3, 4, 5]), [false, false, false, false, false, true])
  })

  it("mentions that left the window no longer count", () => {
    assert.deepStrictEqual(run([0, 1, 2, 3, 4, 60_000, 60_001]), [false, false, false, false, false, false, false])
  })

  it("people and unmentioning bots never count", () => {
    assert.isTrue(run([0, 1, 2, 3, 4, 5, 6], { ...fromBot, sender: { openId: "ou_p", isBot: false } }).every((t) => !t))
    assert.isTrue(run([0, 1, 2, 3, 4, 5, 6], { ...fromBot, mentionedBot: false }).every((t) => !t))
  })

  it("chats are counted apart; sender scope also separates bots", () => {
    const byChat = makeBotLoopGuard(defaultBotLoopGuard)
    for (let i = 0; i < 5; i++) byChat.step(fromBot, i)
    assert.isFalse(byChat.step({ ...fromBot, chatId: "oc_other" }, 6))
    assert.isTrue(byChat.step(fromBot, 6))
    const bySender = makeBotLoopGuard({ ...defaultBotLoopGuard, scope: "sender" })
    for (let i = 0; i < 5; i++) bySender.step(fromBot, i)
    assert.isFalse(bySender.step({ ...fromBot, sender: { openId: "ou_bot2", isBot: true } }, 6))
  })

  it("forgets chats quiet for a whole window: memory follows the active chats, not every chat seen", () => {
    const guard = makeBotLoopGuard(defaultBotLoopGuard)
    for (let i = 0; i < 10_000; i++) guard.step({ ...fromBot, chatId: `oc_${i}` }, i)
    assert.strictEqual(guard.keys(), 10_000)
    for (let i = 0; i < 5; i++) guard.step(fromBot, 100_000 + i)
    assert.strictEqual(guard.keys(), 1)
    assert.isTrue(guard.step(fromBot, 100_005)) // the active chat still trips
    for (let i = 0; i < 100; i++) assert.isTrue(guard.step(fromBot, 100_006 + i)) // and stays tripped while it floods
  })
})
