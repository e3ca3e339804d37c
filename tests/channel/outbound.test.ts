/** Outbound: the receive-id-type table and the message builders' `{ msg_type, content }`. */
import { assert, describe, it } from "@effect/vitest"
import * as Content from "../../src/channel/content.js"
import { inferReceiveIdType } from "../../src/channel/idType.js"
import { classifyMediaSource, uploadFileType } from "../../src/channel/media.js"

describe("inferReceiveIdType", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ["oc_a1b2c3", "chat_id"],
    ["ou_a1b2c3", "open_id"],
    ["on_a1b2c3", "union_id"],
    ["alice@example.com", "email"],
    // An @ wins over a prefix, as in the Python SDK.
    ["ou_x@example.com", "email"],
    ["a1b2c3d4", "user_id"],
    ["OC_upper", "user_id"],
    ["  oc_padded  ", "chat_id"],
    ["", "chat_id"]
  ]
  for (const [to, expected] of table) {
    it(`${JSON.stringify(to)} → ${expected}`, () => assert.strictEqual(inferReceiveIdType(to), expected))
  }
  it("an explicit type wins", () => assert.strictEqual(inferReceiveIdType("oc_a1", "open_id"), "open_id"))
})

const parsed = (c: Content.OutboundContent) => ({ msg_type: c.msg_type, content: JSON.parse(c.content) as unknown })

describe("content builders", () => {
  it("text, with leading <at> tags for valid open ids only, names escaped", () => {
    assert.deepStrictEqual(parsed(Content.text("hello")), { msg_type: "text", content: { text: "hello" } })
    const withMentions = Content.text("look", [
      { openId: "ou_abc123", name: "A <b> & \"c\"" },
      { openId: "not-an-open-id", name: "X" },
      { openId: "all" }
    ])
    assert.strictEqual(
      (JSON.parse(withMentions.content) as { text: string }).text,
      "<at user_id=\"ou_abc123\">A &lt;b&gt; &amp; &quot;c&quot;</at> <at user_id=\"all\"></at> look"
    )
  })

  it("post is the locale map itself, never wrapped in `post`", () => {
    const locales = { zh_cn: { title: "T", content: [[{ tag: "text", text: "x" }]] } }
    assert.deepStrictEqual(parsed(Content.post(locales)), { msg_type: "post", content: locales })
  })

  it("markdown as a post with an md node, or as a card", () => {
    assert.deepStrictEqual(parsed(Content.markdown("**b**")), {
      msg_type: "post",
      content: { zh_cn: { content: [[{ tag: "md", text: "**b**" }]] } }
    })
    assert.deepStrictEqual(parsed(Content.markdown("| a |", "card")), {
      msg_type: "interactive",
      content: { schema: "2.0", body: { elements: [{ tag: "markdown", content: "| a |" }] } }
    })
  })

  it("cards from JSON, card id and template", () => {
    assert.deepStrictEqual(parsed(Content.card({ elements: [] })), { msg_type: "interactive", content: { elements: [] } })
    assert.deepStrictEqual(parsed(Content.cardById("7355")), {
      msg_type: "interactive",
      content: { type: "card", data: { card_id: "7355" } }
    })
    assert.deepStrictEqual(parsed(Content.cardTemplate("AAq1", { name: "x" }, "1.0.0")), {
      msg_type: "interactive",
      content: { type: "template", data: { template_id: "AAq1", template_variable: { name: "x" }, template_version_name: "1.0.0" } }
    })
  })

  it("media by key; captions turn image and video into posts", () => {
    assert.deepStrictEqual(parsed(Content.image("img_1")), { msg_type: "image", content: { image_key: "img_1" } })
    assert.deepStrictEqual(parsed(Content.image("img_1", "look")), {
      msg_type: "post",
      content: { zh_cn: { content: [[{ tag: "img", image_key: "img_1" }], [{ tag: "text", text: "look" }]] } }
    })
    assert.deepStrictEqual(parsed(Content.file("file_1")), { msg_type: "file", content: { file_key: "file_1" } })
    assert.deepStrictEqual(parsed(Content.audio("file_2")), { msg_type: "audio", content: { file_key: "file_2" } })
    assert.deepStrictEqual(parsed(Content.video("file_3", { coverImageKey: "img_c" })), {
      msg_type: "media",
      content: { file_key: "file_3", image_key: "img_c" }
    })
    assert.deepStrictEqual(parsed(Content.video("file_3", { caption: "clip", locale: "en_us" })), {
      msg_type: "post",
      content: { en_us: { content: [[{ tag: "media", file_key: "file_3" }], [{ tag: "text", text: "clip" }]] } }
    })
    assert.deepStrictEqual(parsed(Content.sticker("file_s")), { msg_type: "sticker", content: { file_key: "file_s" } })
  })

  it("share chat and share user", () => {
    assert.deepStrictEqual(parsed(Content.shareChat("oc_1")), { msg_type: "share_chat", content: { chat_id: "oc_1" } })
    assert.deepStrictEqual(parsed(Content.shareUser("ou_1")), { msg_type: "share_user", content: { user_id: "ou_1" } })
  })
})

describe("media sources", () => {
  it("keys, URLs, paths and bytes", () => {
    assert.deepStrictEqual(classifyMediaSource("img_v3_abc"), { _tag: "Key", key: "img_v3_abc" })
    assert.deepStrictEqual(classifyMediaSource("file_v3_abc"), { _tag: "Key", key: "file_v3_abc" })
    assert.deepStrictEqual(classifyMediaSource("st_abc"), { _tag: "Key", key: "st_abc" })
    assert.deepStrictEqual(classifyMediaSource("https://cdn.test/a.png"), { _tag: "Url", url: "https://cdn.test/a.png" })
    // Other schemes are URLs too, so that the SSRF guard refuses them instead of reading a "path".
    assert.deepStrictEqual(classifyMediaSource("file:///etc/passwd"), { _tag: "Url", url: "file:///etc/passwd" })
    assert.deepStrictEqual(classifyMediaSource("./pics/img_1.png"), { _tag: "Path", path: "./pics/img_1.png" })
    const bytes = new Uint8Array([1, 2])
    assert.deepStrictEqual(classifyMediaSource(bytes), { _tag: "Bytes", bytes })
  })

  it("upload file types", () => {
    assert.strictEqual(uploadFileType("audio", "note.m4a"), "opus")
    assert.strictEqual(uploadFileType("video", "clip.mov"), "mp4")
    assert.strictEqual(uploadFileType("file", "Report.PDF"), "pdf")
    assert.strictEqual(uploadFileType("file", "sheet.xlsx"), "xls")
    assert.strictEqual(uploadFileType("file", "archive.tar.gz"), "stream")
    assert.strictEqual(uploadFileType("file", "README"), "stream")
  })
})
