/** Merge-forward expansion from the item list of `im.v1.message.get`. */
import { assert, describe, it } from "@effect/vitest"
import type { Message as ApiMessage } from "../../schemas/im/v1/models.js"
import { renderMergeForward } from "../../src/channel/mergeForward.js"

const item = (id: string, upper: string | undefined, type: string, content: unknown, sender = "ou_alice", name?: string): ApiMessage => ({
  message_id: id,
  upper_message_id: upper,
  msg_type: type,
  create_time: "1764200000000",
  chat_id: "oc_src",
  sender: { id: sender, id_type: "open_id", sender_type: "user", tenant_key: "t1", ...(name === undefined ? {} : { sender_name: name }) },
  body: { content: JSON.stringify(content) },
  mentions: type === "text" ? [{ key: "@_user_1", id: "ou_bob", id_type: "open_id", name: "Bob" }] : []
})

describe("renderMergeForward", () => {
  const items: ReadonlyArray<ApiMessage> = [
    item("om_root", undefined, "merge_forward", { content: "Merged and Forwarded Message" }),
    item("om_1", "om_root", "text", { text: "hi @_user_1" }, "ou_alice", "Alice"),
    item("om_2", "om_root", "image", { image_key: "img_fw" }, "ou_bob"),
    item("om_3", "om_root", "merge_forward", {}, "ou_carol", "Carol"),
    item("om_3a", "om_3", "post", { title: "Plan", content: [[{ tag: "text", text: "step one" }]] }, "ou_dan", "Dan")
  ]

  it("quotes each forwarded message under its sender, nested forwards one level deeper", () => {
    const r = renderMergeForward("om_root", items)
    assert.strictEqual(
      r.text,
      [
        "[merged forward]",
        "> Alice: hi @Bob",
        "> ou_bob: [image]",
        "> Carol: [merged forward]",
        "> > Dan: Plan",
        "> > step one"
      ].join("\n")
    )
    assert.deepStrictEqual(r.resources, [{ kind: "image", key: "img_fw", messageId: "om_2", downloadType: "image" }])
  })

  it("stops at the depth and item budgets", () => {
    assert.notInclude(renderMergeForward("om_root", items, { maxDepth: 1 }).text, "Dan")
    const r = renderMergeForward("om_root", items, { maxItems: 1 })
    assert.strictEqual(r.text, "[merged forward]\n> Alice: hi @Bob\n> … (2 more)")
  })

  it("forwarded messages with malformed mentions or a card nested past the call stack are still read", () => {
    const depth = 20_000
    const hostile: ReadonlyArray<ApiMessage> = [
      { ...item("om_1", "om_root", "text", { text: "hi @_user_1" }, "ou_alice", "Alice"), mentions: {} as never },
      { ...item("om_2", "om_root", "text", { text: "hi @_user_1" }, "ou_bob", "Bob"), mentions: [null, { key: "@_user_1", name: "Carol" }] as never },
      {
        ...item("om_3", "om_root", "interactive", {}, "ou_dan", "Dan"),
        body: { content: `{"x":${"[".repeat(depth)}{"tag":"markdown","content":"deep"}${"]".repeat(depth)}}` }
      }
    ]
    assert.strictEqual(
      renderMergeForward("om_root", hostile).text,
      ["[merged forward]", "> Alice: hi @_user_1", "> Bob: hi @Carol", "> Dan: deep"].join("\n")
    )
  })

  it("an empty or unrelated list is just the marker", () => {
    assert.strictEqual(renderMergeForward("om_x", items).text, "[merged forward]")
    assert.strictEqual(renderMergeForward("om_x", []).text, "[merged forward]")
  })
})
