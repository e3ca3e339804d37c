/**
 * Reassembly of split messages: any order, expiry after the TTL, and the limits on parts, bytes and
 * pending messages.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fragments from "../../src/ws/fragments.js"

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (offered: Fragments.Offered) => {
  assert.strictEqual(offered._tag, "Complete")
  return new TextDecoder().decode((offered as Extract<Fragments.Offered, { _tag: "Complete" }>).payload)
}
const part = (messageId: string, sum: number, seq: number, payload: string): Fragments.Part => ({
  messageId,
  sum: String(sum),
  seq: String(seq),
  payload: bytes(payload)
})

describe("fragment reassembly", () => {
  it("passes a whole message (sum 1 or no sum header) through at once", () => {
    const store = Fragments.make()
    assert.strictEqual(text(store.offer(part("m", 1, 0, "whole"), 0)), "whole")
    assert.strictEqual(text(store.offer({ messageId: undefined, sum: undefined, seq: undefined, payload: bytes("x") }, 0)), "x")
    assert.strictEqual(store.pending(), 0)
  })

  it("joins parts by seq whatever order they arrive in, interleaved with other messages", () => {
    const store = Fragments.make()
    assert.strictEqual(store.offer(part("a", 3, 2, "C"), 0)._tag, "Pending")
    assert.strictEqual(store.offer(part("b", 2, 1, "y"), 1)._tag, "Pending")
    assert.strictEqual(store.offer(part("a", 3, 0, "A"), 2)._tag, "Pending")
    assert.strictEqual(store.pending(), 2)
    assert.strictEqual(text(store.offer(part("a", 3, 1, "B"), 3)), "ABC")
    assert.strictEqual(text(store.offer(part("b", 2, 0, "x"), 4)), "xy")
    assert.strictEqual(store.pending(), 0)
  })

  it("keeps a copy of a waiting part, not a view into the frame it came in (which the reader reuses or drops)", () => {
    const store = Fragments.make()
    const frame = bytes("headers...A...trailer")
    const payload = frame.subarray(10, 11)
    assert.strictEqual(store.offer({ messageId: "m", sum: "2", seq: "0", payload }, 0)._tag, "Pending")
    frame.fill(0) // the frame's buffer is gone or reused
    assert.strictEqual(text(store.offer(part("m", 2, 1, "B"), 1)), "AB")
  })

  it("a repeated part replaces the earlier copy and does not count twice", () => {
    const store = Fragments.make()
    store.offer(part("a", 2, 0, "old"), 0)
    assert.strictEqual(store.offer(part("a", 2, 0, "new"), 1)._tag, "Pending")
    assert.strictEqual(text(store.offer(part("a", 2, 1, "!"), 2)), "new!")
  })

  it("forgets a message whose next part comes after the TTL; a part in time refreshes it", () => {
    const store = Fragments.make({ ttl: 5000 })
    store.offer(part("slow", 2, 0, "A"), 0)
    assert.strictEqual(store.offer(part("slow", 2, 1, "B"), 5000)._tag, "Pending", "part 0 expired: part 1 starts over")
    assert.strictEqual(store.pending(), 1)

    store.offer(part("kept", 3, 0, "1"), 10_000)
    store.offer(part("kept", 3, 1, "2"), 14_000)
    assert.strictEqual(text(store.offer(part("kept", 3, 2, "3"), 18_500)), "123")
    assert.strictEqual(store.pending(), 0, "the expired 'slow' message was swept")
  })

  it("drops invalid sum / seq, parts without message_id, and parts that disagree on sum", () => {
    const store = Fragments.make()
    assert.strictEqual(store.offer(part("a", 2, 2, "x"), 0)._tag, "Dropped")
    assert.strictEqual(store.offer({ messageId: "a", sum: "two", seq: "0", payload: bytes("x") }, 0)._tag, "Dropped")
    assert.strictEqual(store.offer({ messageId: "a", sum: "-1", seq: "0", payload: bytes("x") }, 0)._tag, "Dropped")
    assert.strictEqual(store.offer(part("", 2, 0, "x"), 0)._tag, "Dropped")
    store.offer(part("a", 2, 0, "x"), 0)
    assert.strictEqual(store.offer(part("a", 3, 1, "y"), 0)._tag, "Dropped")
    assert.strictEqual(store.pending(), 0)
  })

  it("enforces the limits on parts, bytes and pending messages", () => {
    const store = Fragments.make({ maxParts: 4, maxBytes: 5, maxPending: 2 })
    assert.strictEqual(store.offer(part("many", 5, 0, "x"), 0)._tag, "Dropped")
    store.offer(part("big", 2, 0, "123"), 0)
    assert.strictEqual(store.offer(part("big", 2, 1, "456"), 0)._tag, "Dropped")
    assert.strictEqual(store.pending(), 0)

    store.offer(part("m1", 2, 0, "a"), 0)
    store.offer(part("m2", 2, 0, "b"), 1)
    store.offer(part("m3", 2, 0, "c"), 2)
    assert.strictEqual(store.pending(), 2, "the least recently touched message was evicted")
    assert.strictEqual(store.offer(part("m1", 2, 1, "A"), 3)._tag, "Pending", "m1 was evicted: its part starts over")
    assert.strictEqual(text(store.offer(part("m3", 2, 1, "C"), 3)), "cC")
  })
})
