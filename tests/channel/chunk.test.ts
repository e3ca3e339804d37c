/** Chunking: limits in characters, preferred cut points, code fences and `<at>` tags kept whole, CJK. */
import { assert, describe, it } from "@effect/vitest"
import { chunkIdempotencyKeys, chunkText } from "../../src/channel/chunk.js"

const chars = (s: string) => Array.from(s).length
const fences = (s: string) => (s.match(/^```/gm) ?? []).length

describe("chunkText", () => {
  it("text at exactly the limit is one chunk; one more character makes two", () => {
    assert.deepStrictEqual(chunkText("a".repeat(10), { limit: 10 }), ["a".repeat(10)])
    const two = chunkText("a".repeat(11), { limit: 10 })
    assert.deepStrictEqual(two, ["a".repeat(10), "a"])
  })

  it("the default limit is 3,500 characters", () => {
    assert.strictEqual(chunkText("x".repeat(3500)).length, 1)
    assert.strictEqual(chunkText("x".repeat(3501)).length, 2)
  })

  it("cuts at the last line break before the limit and drops it", () => {
    assert.deepStrictEqual(chunkText("aaaa\nbbbb\ncccc", { limit: 10 }), ["aaaa\nbbbb", "cccc"])
  })

  it("paragraph mode prefers a blank line over a later line break", () => {
    assert.deepStrictEqual(chunkText("aa\n\nbb\ncc\ndd", { limit: 9, mode: "paragraph" }), ["aa", "bb\ncc\ndd"])
    assert.deepStrictEqual(chunkText("aa\n\nbb\ncc\ndd", { limit: 9, mode: "newline" }), ["aa\n\nbb\ncc", "dd"])
  })

  it("falls back to spaces, then to a hard cut", () => {
    assert.deepStrictEqual(chunkText("one two three", { limit: 8 }), ["one two", "three"])
    assert.deepStrictEqual(chunkText("abcdefghij", { limit: 4 }), ["abcd", "efgh", "ij"])
  })

  it("none mode cuts at the limit even with line breaks nearby", () => {
    assert.deepStrictEqual(chunkText("ab\ncdef", { limit: 4, mode: "none" }), ["ab\nc", "def"])
  })

  it("counts CJK and emoji as one character each and never splits a surrogate pair", () => {
    const cjk = "你好世界".repeat(5) // 20 characters, 60 UTF-8 bytes
    assert.deepStrictEqual(chunkText(cjk, { limit: 20 }), [cjk])
    const emoji = "😀".repeat(7)
    const parts = chunkText(emoji, { limit: 3 })
    assert.deepStrictEqual(parts, ["😀😀😀", "😀😀😀", "😀"])
    for (const p of parts) assert.isFalse(/[\uD800-\uDBFF]$/.test(p))
  })

  it("never cuts inside an <at> tag, even where a hard cut would fall", () => {
    const text = "hello " + "<at user_id=\"ou_abc\">Alice Smith</at>" + " bye"
    for (let limit = 8; limit < text.length; limit++) {
      for (const mode of ["none", "newline", "paragraph"] as const) {
        const parts = chunkText(text, { limit, mode })
        assert.isTrue(parts.some((p) => p.includes("<at user_id=\"ou_abc\">Alice Smith</at>")), `limit ${limit} ${mode}: ${JSON.stringify(parts)}`)
      }
    }
  })

  it("an <at> tag longer than the limit goes out whole rather than broken", () => {
    const tag = "<at user_id=\"ou_abcdef\">Somebody</at>"
    assert.deepStrictEqual(chunkText(tag + " x", { limit: 10, mode: "none" }), [tag, " x"])
  })

  it("keeps a code fence that fits in one chunk, cutting before it", () => {
    const fence = "```ts\nconst a = 1\nconst b = 2\n```"
    const text = "intro line\n" + fence + "\nafter"
    const parts = chunkText(text, { limit: fence.length + 2 })
    assert.include(parts, fence)
    for (const p of parts) assert.strictEqual(fences(p) % 2, 0, JSON.stringify(p))
  })

  it("splits a fence longer than the limit into complete fences with the same info string", () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n")
    const text = "Here:\n```python\n" + body + "\n```\nDone."
    const parts = chunkText(text, { limit: 60 })
    for (const p of parts) {
      assert.isAtMost(chars(p), 60)
      assert.strictEqual(fences(p) % 2, 0, JSON.stringify(p))
    }
    const reopened = parts.filter((p) => p.includes("```python"))
    assert.isAbove(reopened.length, 1)
    const lines = parts.join("\n").split("\n").filter((l) => l.startsWith("line "))
    assert.deepStrictEqual(lines, body.split("\n"))
  })

  it("text with CRLF line ends splits a long fence into complete fences too", () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\r\n")
    const parts = chunkText("Here:\r\n```python\r\n" + body + "\r\n```\r\nDone.", { limit: 60 })
    for (const p of parts) {
      assert.isAtMost(chars(p), 60)
      assert.strictEqual(fences(p) % 2, 0, JSON.stringify(p))
    }
    assert.isAbove(parts.filter((p) => p.includes("```python")).length, 1)
    const lines = parts.join("\n").split("\n").filter((l) => l.startsWith("line "))
    assert.deepStrictEqual(lines, body.split("\r\n"))
  })

  it("an unclosed fence is closed when it has to be split", () => {
    const text = "```\n" + "x\n".repeat(40)
    const parts = chunkText(text, { limit: 20 })
    for (const p of parts) assert.strictEqual(fences(p) % 2, 0, JSON.stringify(p))
  })

  it("a long line inside a fence is hard-split inside complete fences", () => {
    const text = "```\n" + "y".repeat(50) + "\n```"
    const parts = chunkText(text, { limit: 20 })
    for (const p of parts) {
      assert.isAtMost(chars(p), 20)
      assert.strictEqual(fences(p), 2)
    }
    assert.strictEqual(parts.map((p) => p.split("\n")[1]).join(""), "y".repeat(50))
  })

  it("every chunk is within the limit and no text is lost on mixed content", () => {
    const text = ("段落 " + "字".repeat(30) + "\n\n").repeat(20) + "tail"
    const parts = chunkText(text, { limit: 50, mode: "paragraph" })
    for (const p of parts) assert.isAtMost(chars(p), 50)
    assert.strictEqual(parts.join("").replace(/\s/g, ""), text.replace(/\s/g, ""))
  })
})

describe("chunkIdempotencyKeys", () => {
  it("puts the caller's uuid on the first chunk only", () => {
    assert.deepStrictEqual(chunkIdempotencyKeys(3, "u-1"), ["u-1", undefined, undefined])
    assert.deepStrictEqual(chunkIdempotencyKeys(1, undefined), [undefined])
  })
})
