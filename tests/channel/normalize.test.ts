/**
 * Normalization of platform events into channel events, from payloads written after the documented field
 * lists (spec §4.5): every message type, mentions, the bot's own mention, resources, and the other events.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import type { MentionEvent } from "../../schemas/im/v1/models.js"
import type { V2Event } from "../../src/events/EventDispatcher.js"
import { ChannelEvent } from "../../src/channel/ChannelEvent.js"
import type { Message } from "../../src/channel/Message.js"
import { normalizeEvent, normalizeMessage } from "../../src/channel/normalize.js"
import { fnv1a, mulberry32 } from "../fixtures/random.js"

const BOT = "ou_bot0000000000000000000000000001"
const ALICE = { open_id: "ou_alice00000000000000000000000001", union_id: "on_alice0000000000000000000000001", user_id: "a1b2c3" }

const v2 = (eventType: string, event: unknown, eventId = "ev_1"): V2Event => ({
  version: "v2",
  header: { event_id: eventId, event_type: eventType, create_time: "1764200000000", app_id: "cli_a1b2c3d4e5f60718", tenant_key: "t1" },
  event
})

interface MessageFields {
  readonly type: string
  readonly content: unknown
  readonly mentions?: ReadonlyArray<MentionEvent>
  readonly chatType?: string
  readonly extra?: Record<string, unknown>
}

const receive = ({ type, content, mentions, chatType = "group", extra = {} }: MessageFields) => ({
  sender: { sender_id: ALICE, sender_type: "user", tenant_key: "t1" },
  message: {
    message_id: "om_msg1",
    root_id: "",
    parent_id: "",
    create_time: "1764200000123",
    update_time: "1764200000123",
    chat_id: "oc_chat1",
    chat_type: chatType,
    message_type: type,
    content: typeof content === "string" ? content : JSON.stringify(content),
    mentions,
    user_agent: "Mozilla/5.0",
    ...extra
  }
})

const botMention = { key: "@_user_1", id: { open_id: BOT, union_id: "on_bot", user_id: "" }, name: "Helper", tenant_key: "t1" }
const bobMention = { key: "@_user_2", id: { open_id: "ou_bob", union_id: "on_bob", user_id: "bob1" }, name: "Bob", tenant_key: "t1" }

const normalize = (fields: MessageFields, includeRaw = false): Message =>
  Option.getOrThrow(normalizeMessage("ev_1", receive(fields), { botOpenId: BOT, includeRaw }))

describe("message fields", () => {
  it("copies ids, times, chat and sender, and keeps the raw payload only on request", () => {
    const payload = receive({ type: "text", content: { text: "hi" }, extra: { root_id: "om_root", parent_id: "om_parent", thread_id: "omt_1" } })
    const msg = Option.getOrThrow(normalizeMessage("ev_9", payload, { botOpenId: BOT }))
    assert.strictEqual(msg.eventId, "ev_9")
    assert.strictEqual(msg.messageId, "om_msg1")
    assert.strictEqual(msg.createTime, 1764200000123)
    assert.strictEqual(msg.chatId, "oc_chat1")
    assert.strictEqual(msg.chatType, "group")
    assert.strictEqual(msg.rootId, "om_root")
    assert.strictEqual(msg.replyToMessageId, "om_parent")
    assert.strictEqual(msg.threadId, "omt_1")
    assert.deepStrictEqual(msg.sender, {
      openId: ALICE.open_id,
      unionId: ALICE.union_id,
      userId: ALICE.user_id,
      type: "user",
      isBot: false,
      tenantKey: "t1"
    })
    assert.strictEqual(msg.contentType, "text")
    assert.isFalse("raw" in msg)
    const withRaw = Option.getOrThrow(normalizeMessage("ev_9", payload, { includeRaw: true }))
    assert.strictEqual(withRaw.raw, payload)
  })

  it("maps chat types, and empty ids to undefined", () => {
    assert.strictEqual(normalize({ type: "text", content: { text: "x" }, chatType: "p2p" }).chatType, "p2p")
    assert.strictEqual(normalize({ type: "text", content: { text: "x" }, chatType: "topic_group" }).chatType, "topic")
    assert.strictEqual(normalize({ type: "text", content: { text: "x" }, chatType: "mystery" }).chatType, "unknown")
    const msg = normalize({ type: "text", content: { text: "x" } })
    assert.isUndefined(msg.rootId)
    assert.isUndefined(msg.threadId)
  })

  it("marks app senders as bots", () => {
    const payload = receive({ type: "text", content: { text: "beep" } })
    const fromApp = { ...payload, sender: { sender_id: { open_id: "ou_otherbot" }, sender_type: "app", tenant_key: "t1" } }
    const msg = Option.getOrThrow(normalizeMessage("e", fromApp))
    assert.strictEqual(msg.sender.type, "app")
    assert.isTrue(msg.sender.isBot)
  })

  it("gives None for a message without an id, never throws on garbage", () => {
    assert.isTrue(Option.isNone(normalizeMessage("e", {})))
    assert.isTrue(Option.isNone(normalizeMessage("e", { message: { chat_id: "oc_1" } })))
    assert.isTrue(Option.isNone(normalizeEvent(v2("im.message.receive_v1", null))))
    assert.isTrue(Option.isNone(normalizeEvent(v2("im.message.receive_v1", "nonsense"))))
  })
})

describe("text and mentions", () => {
  it("renders @_user_N placeholders by name and drops the bot's own mention from bodyText", () => {
    const msg = normalize({ type: "text", content: { text: "@_user_1 please ping @_user_2 about it" }, mentions: [botMention, bobMention] })
    assert.strictEqual(msg.text, "@Helper please ping @Bob about it")
    assert.strictEqual(msg.bodyText, "please ping @Bob about it")
    assert.isTrue(msg.mentionedBot)
    assert.isFalse(msg.mentionAll)
    assert.deepStrictEqual(msg.mentions.map((m) => [m.key, m.name, m.openId, m.isBot]), [
      ["@_user_1", "Helper", BOT, true],
      ["@_user_2", "Bob", "ou_bob", false]
    ])
  })

  it("keeps one space where the bot was mentioned mid-sentence", () => {
    const msg = normalize({ type: "text", content: { text: "hey @_user_1 what's up" }, mentions: [botMention] })
    assert.strictEqual(msg.bodyText, "hey what's up")
  })

  it("detects @all and does not count it as the bot", () => {
    const msg = normalize({ type: "text", content: { text: "@_all lunch is here" } })
    assert.strictEqual(msg.text, "@all lunch is here")
    assert.isTrue(msg.mentionAll)
    assert.isFalse(msg.mentionedBot)
  })

  it("without the bot's open id no mention is the bot", () => {
    const msg = Option.getOrThrow(normalizeMessage("e", receive({ type: "text", content: { text: "@_user_1 hi" }, mentions: [botMention] })))
    assert.isFalse(msg.mentionedBot)
    assert.strictEqual(msg.bodyText, "@Helper hi")
  })

  it("keeps CJK text and emoji as they are", () => {
    const msg = normalize({ type: "text", content: { text: "@_user_1 你好，世界 🌏" }, mentions: [botMention] })
    assert.strictEqual(msg.bodyText, "你好，世界 🌏")
  })
})

describe("post", () => {
  const received = {
    title: "Release notes",
    content: [
      [
        { tag: "at", user_id: "@_user_1", user_name: "Helper" },
        { tag: "text", text: " see ", style: ["bold"] },
        { tag: "a", href: "https://example.com/notes", text: "the notes" }
      ],
      [{ tag: "img", image_key: "img_v3_post1", width: 300, height: 200 }],
      [{ tag: "media", file_key: "file_v3_clip", image_key: "img_v3_cover" }],
      [{ tag: "emotion", emoji_type: "THUMBSUP" }, { tag: "text", text: " great" }],
      [{ tag: "code_block", language: "TypeScript", text: "const x = 1" }],
      [{ tag: "hr" }],
      [{ tag: "at", user_id: "all", user_name: "Everyone" }, { tag: "text", text: " fyi" }]
    ]
  }

  it("flattens nested tags in order, collects img and media resources", () => {
    const msg = normalize({ type: "post", content: received, mentions: [botMention] })
    assert.strictEqual(
      msg.text,
      [
        "Release notes",
        "@Helper see [the notes](https://example.com/notes)",
        "[image]",
        "[video]",
        ":THUMBSUP: great",
        "```typescript",
        "const x = 1",
        "```",
        "---",
        "@all fyi"
      ].join("\n")
    )
    assert.isTrue(msg.bodyText.startsWith("Release notes\nsee [the notes]"))
    assert.isTrue(msg.mentionAll)
    assert.isTrue(msg.mentionedBot)
    assert.deepStrictEqual(msg.resources, [
      { kind: "image", key: "img_v3_post1", messageId: "om_msg1", downloadType: "image" },
      { kind: "video", key: "file_v3_clip", coverImageKey: "img_v3_cover", messageId: "om_msg1", downloadType: "file" }
    ])
  })

  it("reads locale maps, preferring zh_cn, then en_us, then any locale", () => {
    const en = { title: "Hello", content: [[{ tag: "text", text: "english" }]] }
    const ja = { title: "こんにちは", content: [[{ tag: "text", text: "日本語" }]] }
    const zh = { title: "你好", content: [[{ tag: "text", text: "中文" }]] }
    assert.strictEqual(normalize({ type: "post", content: { en_us: en, zh_cn: zh } }).text, "你好\n中文")
    assert.strictEqual(normalize({ type: "post", content: { ja_jp: ja, en_us: en } }).text, "Hello\nenglish")
    assert.strictEqual(normalize({ type: "post", content: { post: { ko_kr: { content: [[{ tag: "text", text: "k" }]] } } } }).text, "k")
  })

  it("a link whose text is its URL renders once; a post without paragraphs is a placeholder", () => {
    assert.strictEqual(
      normalize({ type: "post", content: { content: [[{ tag: "a", href: "https://x.test", text: "https://x.test" }]] } }).text,
      "https://x.test"
    )
    assert.strictEqual(normalize({ type: "post", content: { title: "t" } }).text, "[post]")
  })
})

describe("interactive", () => {
  it("reads the simplified card form (title + post-like elements)", () => {
    const msg = normalize({
      type: "interactive",
      content: { title: "Approval", elements: [[{ tag: "text", text: "Expense #42" }], [{ tag: "button", text: "Approve" }]] }
    })
    assert.strictEqual(msg.text, "Approval\nExpense #42\nApprove")
  })

  it("walks a card JSON: header, markdown, fields, button labels, images; skips values and URLs", () => {
    const card = {
      config: { wide_screen_mode: true },
      header: { title: { tag: "plain_text", content: "Deploy finished" }, template: "green" },
      elements: [
        { tag: "markdown", content: "**prod** is live" },
        { tag: "div", fields: [{ is_short: true, text: { tag: "lark_md", content: "Region: cn" } }] },
        { tag: "img", img_key: "img_v3_chart", alt: { tag: "plain_text", content: "" } },
        { tag: "hr" },
        {
          tag: "action",
          actions: [{ tag: "button", text: { tag: "plain_text", content: "Roll back" }, value: { op: "rollback" }, url: "https://internal" }]
        }
      ]
    }
    const msg = normalize({ type: "interactive", content: card })
    assert.strictEqual(msg.text, "Deploy finished\n**prod** is live\nRegion: cn\n[image]\n---\nRoll back")
    assert.deepStrictEqual(msg.resources.map((r) => r.key), ["img_v3_chart"])
  })

  it("walks a v2 card body", () => {
    const msg = normalize({
      type: "interactive",
      content: { schema: "2.0", body: { elements: [{ tag: "markdown", content: "v2 body" }] } }
    })
    assert.strictEqual(msg.text, "v2 body")
  })

  it("an empty card is a placeholder", () => {
    assert.strictEqual(normalize({ type: "interactive", content: {} }).text, "[card]")
  })
})

describe("media and other types", () => {
  const cases: ReadonlyArray<readonly [string, unknown, string, ReadonlyArray<unknown>]> = [
    ["image", { image_key: "img_v3_abc" }, "[image]", [{ kind: "image", key: "img_v3_abc", messageId: "om_msg1", downloadType: "image" }]],
    [
      "file",
      { file_key: "file_v3_doc", file_name: "report.pdf" },
      "[file: report.pdf]",
      [{ kind: "file", key: "file_v3_doc", fileName: "report.pdf", messageId: "om_msg1", downloadType: "file" }]
    ],
    [
      "audio",
      { file_key: "file_v3_voice", duration: 3200 },
      "[audio]",
      [{ kind: "audio", key: "file_v3_voice", durationMs: 3200, messageId: "om_msg1", downloadType: "file" }]
    ],
    [
      "media",
      { file_key: "file_v3_movie", image_key: "img_v3_poster", file_name: "demo.mp4", duration: 60000 },
      "[video: demo.mp4]",
      [{
        kind: "video",
        key: "file_v3_movie",
        fileName: "demo.mp4",
        durationMs: 60000,
        coverImageKey: "img_v3_poster",
        messageId: "om_msg1",
        downloadType: "file"
      }]
    ],
    ["sticker", { file_key: "file_v3_sticker" }, "[sticker]", [{ kind: "sticker", key: "file_v3_sticker", messageId: "om_msg1", downloadType: "file" }]],
    ["share_chat", { chat_id: "oc_shared" }, "[shared chat: oc_shared]", []],
    ["share_user", { user_id: "ou_shared" }, "[shared user: ou_shared]", []],
    ["location", { name: "Pier 39", longitude: "-122.41", latitude: "37.81" }, "[location: Pier 39]", []],
    ["merge_forward", { content: "Merged and Forwarded Message" }, "[merged forward]", []],
    ["todo", { task_id: "t1", summary: { title: "" } }, "[todo]", []],
    ["vote", { topic: "lunch?", options: ["a", "b"] }, "[vote]", []],
    ["brand_new_type", { anything: 1 }, "[unsupported message type: brand_new_type]", []]
  ]
  for (const [type, content, text, resources] of cases) {
    it(`${type} → ${text}`, () => {
      const msg = normalize({ type, content })
      assert.strictEqual(msg.text, text)
      assert.deepStrictEqual(
        msg.resources.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
        resources
      )
    })
  }

  it("system messages fill their template", () => {
    const msg = normalize({
      type: "system",
      content: { template: "{from_user} invited {to_chatters} to this chat.", from_user: ["Alice"], to_chatters: ["Bob", "Carol"], divider_text: {} }
    })
    assert.strictEqual(msg.text, "Alice invited Bob, Carol to this chat.")
  })

  it("content that is not JSON becomes a placeholder", () => {
    assert.strictEqual(normalize({ type: "text", content: "{not json" }).text, "[text]")
    assert.strictEqual(normalize({ type: "image", content: "[1,2]" }).text, "[image]")
  })
})

describe("other events", () => {
  const some = (event: V2Event) => Option.getOrThrow(normalizeEvent(event, { botOpenId: BOT }))

  it("receive_v1 becomes a Message event", () => {
    const e = some(v2("im.message.receive_v1", receive({ type: "text", content: { text: "yo" } })))
    assert.isTrue(ChannelEvent.$is("Message")(e))
    if (e._tag === "Message") assert.strictEqual(e.text, "yo")
  })

  it("reactions added and removed", () => {
    const payload = {
      message_id: "om_r",
      reaction_type: { emoji_type: "SMILE" },
      operator_type: "user",
      user_id: ALICE,
      action_time: "1764200001000"
    }
    const added = some(v2("im.message.reaction.created_v1", payload))
    const removed = some(v2("im.message.reaction.deleted_v1", payload))
    assert.deepStrictEqual(added, ChannelEvent.Reaction({
      eventId: "ev_1",
      action: "added",
      messageId: "om_r",
      emojiType: "SMILE",
      operator: { openId: ALICE.open_id, unionId: ALICE.union_id, userId: ALICE.user_id, tenantKey: undefined },
      operatorType: "user",
      actionTime: 1764200001000
    }))
    assert.strictEqual(removed._tag === "Reaction" && removed.action, "removed")
  })

  it("bot added to and removed from a chat", () => {
    const payload = { chat_id: "oc_new", operator_id: ALICE, external: true, operator_tenant_key: "t1", name: "Team", i18n_names: { en_us: "Team" } }
    const added = some(v2("im.chat.member.bot.added_v1", payload))
    assert.strictEqual(added._tag, "BotAdded")
    if (added._tag === "BotAdded") {
      assert.strictEqual(added.chatId, "oc_new")
      assert.strictEqual(added.chatName, "Team")
      assert.isTrue(added.external)
      assert.strictEqual(added.operator.openId, ALICE.open_id)
    }
    assert.strictEqual(some(v2("im.chat.member.bot.deleted_v1", payload))._tag, "BotRemoved")
  })

  it("message read", () => {
    const e = some(v2("im.message.message_read_v1", {
      reader: { reader_id: ALICE, read_time: "1764200002000", tenant_key: "t1" },
      message_id_list: ["om_a", "om_b"]
    }))
    assert.isTrue(e._tag === "MessageRead" && e.readTime === 1764200002000 && e.messageIds.length === 2)
  })

  it("card action with context and token", () => {
    const payload = {
      operator: { tenant_key: "t1", open_id: ALICE.open_id, user_id: ALICE.user_id, union_id: ALICE.union_id },
      token: "c-token",
      action: { tag: "button", value: { op: "approve" } },
      host: "im_message",
      context: { open_message_id: "om_card", open_chat_id: "oc_chat1" }
    }
    const e = some(v2("card.action.trigger", payload))
    assert.strictEqual(e._tag, "CardAction")
    if (e._tag === "CardAction") {
      assert.strictEqual(e.messageId, "om_card")
      assert.strictEqual(e.chatId, "oc_chat1")
      assert.strictEqual(e.token, "c-token")
      assert.deepStrictEqual(e.action.value, { op: "approve" })
      assert.strictEqual(e.operator.openId, ALICE.open_id)
    }
  })

  it("drive comment", () => {
    const e = some(v2("drive.notice.comment_add_v1", {
      notice_meta: { file_type: "docx", file_token: "doxcn1", from_user_id: ALICE, to_user_id: { open_id: BOT }, notice_type: "add_comment" },
      comment_id: "c1",
      reply_id: "r1",
      is_mentioned: true
    }))
    assert.deepStrictEqual(e, ChannelEvent.Comment({
      eventId: "ev_1",
      fileToken: "doxcn1",
      fileType: "docx",
      commentId: "c1",
      replyId: "r1",
      operator: { openId: ALICE.open_id, unionId: ALICE.union_id, userId: ALICE.user_id, tenantKey: undefined },
      mentionedBot: true,
      noticeType: "add_comment"
    }))
  })

  it("other event types are not channel events", () => {
    assert.isTrue(Option.isNone(normalizeEvent(v2("contact.user.created_v3", { object: {} }))))
  })
})

describe("hostile payloads", () => {
  // Long enough that a quadratic scan (the regexes these replaced) runs far past the test timeout: 300,000
  // blanks took them minutes; a linear scan takes milliseconds.
  const RUN = 300_000
  /** Picks one of `items` with the numbers of `next`. */
  const picker = (next: () => number) => <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!

  it("a long run of blanks beside the bot's mention is read in one pass", () => {
    const spaces = " ".repeat(RUN)
    const msg = normalize({ type: "text", content: { text: `@_user_1 hi${spaces}there\t@_user_1` }, mentions: [botMention] })
    assert.strictEqual(msg.text, `@Helper hi${spaces}there\t@Helper`)
    assert.strictEqual(msg.bodyText, `hi${spaces}there`)
  })

  it("a long run of new lines inside a post paragraph is read in one pass", () => {
    const newlines = "\n".repeat(RUN)
    const msg = normalize({ type: "post", content: { title: "", content: [[{ tag: "text", text: `\na${newlines}b\n` }]] } })
    assert.strictEqual(msg.text, `a${newlines}b`)
  })

  it("bot marks and paragraph ends are dropped as the regexes did, on random short inputs", () => {
    // the regexes these scans replaced, kept here as the specification
    const removeBotMarks = (text: string) =>
      text.replace(/([ \t]*)\u0000([ \t]*)/g, (_, before: string, after: string) => (before !== "" && after !== "" ? " " : "")).trim()
    const trimNewlines = (text: string) => text.replace(/^\n+|\n+$/g, "")
    const next = mulberry32(fnv1a("bot marks and paragraph ends"))
    const pick = picker(next)
    const draw = (pieces: ReadonlyArray<string>) => Array.from({ length: Math.floor(next() * 12) }, () => pick(pieces)).join("")
    const textPieces = [" ", "  ", "\t", "\n", "a", "bc", "@_user_1", "@_user_2", "\u0000"]
    for (let i = 0; i < 2_000; i++) {
      const text = draw(textPieces)
      const msg = normalize({ type: "text", content: { text }, mentions: [botMention, bobMention] })
      const expected = removeBotMarks(text.replaceAll("@_user_1", "\u0000").replaceAll("@_user_2", "@Bob"))
      assert.strictEqual(msg.bodyText, expected, JSON.stringify(text))

      // text nodes, and the bot's mention (`undefined` here)
      const nodes = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.3 ? undefined : draw([" ", "\t", "\n", "\n\n", "a"])))
      const paragraph = nodes.map((text) => (text === undefined ? { tag: "at", user_id: "@_user_1" } : { tag: "text", text }))
      const post = normalize({ type: "post", content: { title: "", content: [paragraph, [{ tag: "text", text: "end" }]] }, mentions: [botMention] })
      const rendered = (bot: string) => `${trimNewlines(nodes.map((text) => text ?? bot).join(""))}\nend`.trim()
      assert.strictEqual(post.text, rendered("@Helper"), JSON.stringify(paragraph))
      assert.strictEqual(post.bodyText, removeBotMarks(rendered("\u0000")), JSON.stringify(paragraph))
    }
  })

  it("a card nested deeper than the call stack goes is walked, in document order", () => {
    const depth = 20_000
    const card = `{"header":{"title":{"tag":"plain_text","content":"top"}},"body":${'{"elements":['.repeat(depth)}` +
      `{"tag":"markdown","content":"deep"}${"]}".repeat(depth)},"footer":{"tag":"plain_text","content":"after"}}`
    const msg = normalize({ type: "interactive", content: card })
    assert.strictEqual(msg.text, "top\ndeep\nafter")
  })

  it("mentions that are not a list of objects are skipped, not a crash", () => {
    for (const mentions of [{}, "@_user_1", 42, null]) {
      const msg = normalize({ type: "text", content: { text: "@_user_1 hi" }, extra: { mentions } })
      assert.deepStrictEqual([msg.text, msg.mentions], ["@_user_1 hi", []])
    }
    const msg = normalize({
      type: "text",
      content: { text: "@_user_1 hi @_user_3" },
      extra: { mentions: [null, "x", 7, [], { key: 5, id: null, name: {} }, { key: "@_user_3", id: "ou_x" }, botMention] }
    })
    assert.deepStrictEqual(msg.mentions.map((m) => [m.key, m.name, m.openId, m.isBot]), [
      ["", "", "", false],
      ["@_user_3", "", "", false],
      ["@_user_1", "Helper", BOT, true]
    ])
    assert.deepStrictEqual([msg.text, msg.bodyText, msg.mentionedBot], ["@Helper hi @", "hi @", true])
  })

  it("fields of the wrong type read as absent", () => {
    // an object whose toString is not a function throws when made a string or a number
    const unprintable = { toString: "x", valueOf: "y" }
    const msg = normalize({
      type: "text",
      content: { text: "hi" },
      extra: { chat_type: "constructor", create_time: unprintable, update_time: [], chat_id: unprintable, thread_id: 7, message_type: unprintable }
    })
    assert.deepStrictEqual(
      [msg.chatType, msg.createTime, msg.updateTime, msg.chatId, msg.threadId, msg.contentType, msg.text],
      ["unknown", 0, undefined, "", undefined, "unknown", "[unsupported message type: unknown]"]
    )
    const sender = Option.getOrThrow(normalizeMessage("e", { sender: { sender_type: "toString", sender_id: { open_id: unprintable } }, message: { message_id: "om_1" } } as never))
    assert.deepStrictEqual([sender.sender.type, sender.sender.openId], ["unknown", ""])
  })

  it("no payload makes normalizing throw: genuine payloads with random values in random places", () => {
    const genuine: ReadonlyArray<readonly [string, unknown]> = [
      ["im.message.receive_v1", receive({ type: "text", content: { text: "@_user_1 hi @_user_2" }, mentions: [botMention, bobMention] })],
      ["im.message.receive_v1", receive({ type: "post", content: { title: "t", content: [[{ tag: "at", user_id: "@_user_1" }, { tag: "text", text: "x" }]] }, mentions: [botMention] })],
      ["im.message.receive_v1", receive({ type: "interactive", content: { header: { title: { tag: "plain_text", content: "h" } }, elements: [{ tag: "img", img_key: "k" }] } })],
      ["im.message.receive_v1", receive({ type: "system", content: { template: "{from_user} joined", from_user: ["Alice"] } })],
      ["im.message.reaction.created_v1", { message_id: "om_r", reaction_type: { emoji_type: "OK" }, operator_type: "user", user_id: ALICE, action_time: "1" }],
      ["im.chat.member.bot.added_v1", { chat_id: "oc_1", operator_id: ALICE, operator_tenant_key: "t1", name: "Team", external: false }],
      ["im.message.message_read_v1", { reader: { reader_id: ALICE, read_time: "1", tenant_key: "t1" }, message_id_list: ["om_1"] }],
      ["card.action.trigger", { operator: { open_id: ALICE.open_id }, token: "c-1", action: { value: {} }, context: { open_message_id: "om_1", open_chat_id: "oc_1" } }],
      ["drive.notice.comment_add_v1", { comment_id: "c1", notice_meta: { file_token: "f", file_type: "docx", from_user_id: ALICE }, is_mentioned: true }]
    ]
    const next = mulberry32(fnv1a("hostile payloads"))
    const pick = picker(next)
    // an object whose toString is not a function throws when made a string or a number
    const leaves: ReadonlyArray<unknown> = [null, true, 0, -1, "", "x", "@_user_1", "constructor", "__proto__", { toString: "x", valueOf: "y" }, [null], {}]
    const keys = ["toString", "valueOf", "__proto__", "constructor", "tag", "text", "content", "elements", "key", "id"]
    const random = (depth: number): unknown => {
      const roll = next()
      if (depth === 0 || roll < 0.5) return pick(leaves)
      if (roll < 0.7) return Array.from({ length: Math.floor(next() * 3) }, () => random(depth - 1))
      // built with `fromEntries`, as JSON.parse builds objects: `__proto__` is a key, not the prototype
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, () => [pick(keys), random(depth - 1)]))
    }
    /** `u` with some of its values replaced by random ones, inside a message's `content` JSON too. */
    const mutate = (u: unknown): unknown => {
      if (next() < 0.1) return random(3)
      if (Array.isArray(u)) return u.map(mutate)
      if (typeof u !== "object" || u === null) return u
      return Object.fromEntries(Object.entries(u).map(([key, value]) => [
        key,
        key === "content" && typeof value === "string" && value.startsWith("{") ? JSON.stringify(mutate(JSON.parse(value))) : mutate(value)
      ]))
    }
    for (let i = 0; i < 2_000; i++) {
      for (const [type, payload] of genuine) {
        const mutated = mutate(payload)
        try {
          normalizeEvent(v2(type, mutated), { botOpenId: BOT })
        } catch (error) {
          assert.fail(`${type}: ${JSON.stringify(mutated)}: ${String(error)}`)
        }
      }
    }
  })
})
