/**
 * The pbbp2 frame codec against bytes worked out by hand from the field numbers:
 * key byte = (field << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32);
 * varints are little-endian groups of 7 bits, high bit set on all but the last byte.
 */
import { assert, describe, it } from "@effect/vitest"
import { getFailure, getSuccess, isFailure } from "../../src/internal/dialect.js"
import * as Frame from "../../src/ws/frame.js"

const hex = (text: string) => Uint8Array.from(text.trim().split(/\s+/).map((byte) => parseInt(byte, 16)))
const toHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ")

// A client ping on service 7: SeqID 0, LogID 0, service 7, method 0, one header type=ping.
const PING = hex(`
  08 00
  10 00
  18 07
  20 00
  2a 0c  0a 04 74 79 70 65  12 04 70 69 6e 67
`)

// SeqID 300 (ac 02), LogID 2^64-1 (ten bytes), service -1 (int32, sign-extended: ten bytes), method 1,
// header sum=1, payload "{}", LogIDNew "é" (UTF-8 c3 a9).
const DATA = hex(`
  08 ac 02
  10 ff ff ff ff ff ff ff ff ff 01
  18 ff ff ff ff ff ff ff ff ff 01
  20 01
  2a 08  0a 03 73 75 6d  12 01 31
  42 02 7b 7d
  4a 02 c3 a9
`)

const dataFrame: Frame.Frame = {
  seqId: 300n,
  logId: 18446744073709551615n,
  service: -1,
  method: 1,
  headers: [{ key: "sum", value: "1" }],
  payload: new TextEncoder().encode("{}"),
  logIdNew: "é"
}

const decoded = (bytes: Uint8Array) => {
  const result = Frame.decode(bytes)
  if (isFailure(result)) assert.fail(getFailure(result).message)
  return getSuccess(result)
}

const failure = (bytes: Uint8Array) => {
  const result = Frame.decode(bytes)
  if (!isFailure(result)) return assert.fail("expected a decode failure")
  return getFailure(result).detail
}

describe("pbbp2 Frame codec", () => {
  it("encodes a ping to the hand-computed bytes", () => {
    const bytes = Frame.encode({ seqId: 0n, logId: 0n, service: 7, method: 0, headers: [{ key: "type", value: "ping" }] })
    assert.strictEqual(toHex(bytes), toHex(PING))
  })

  it("encodes uint64 extremes, a negative int32, payload and a UTF-8 string to the hand-computed bytes", () => {
    assert.strictEqual(toHex(Frame.encode(dataFrame)), toHex(DATA))
  })

  it("decodes both golden frames back", () => {
    assert.deepStrictEqual(decoded(PING), {
      seqId: 0n,
      logId: 0n,
      service: 7,
      method: 0,
      headers: [{ key: "type", value: "ping" }],
      payloadEncoding: undefined,
      payloadType: undefined,
      payload: undefined,
      logIdNew: undefined
    })
    const data = decoded(DATA)
    assert.strictEqual(data.seqId, 300n)
    assert.strictEqual(data.logId, 18446744073709551615n)
    assert.strictEqual(data.service, -1)
    assert.deepStrictEqual(data.headers, [{ key: "sum", value: "1" }])
    assert.strictEqual(new TextDecoder().decode(data.payload), "{}")
    assert.strictEqual(data.logIdNew, "é")
  })

  it("skips unknown fields of every wire type, in the frame and in a header, in any field order", () => {
    const bytes = hex(`
      42 01 41
      78 05
      a2 01 03 78 79 7a
      81 01 01 02 03 04 05 06 07 08
      8d 01 01 02 03 04
      2a 0a  18 01 0a 01 6b 12 01 76 18 02
      20 01
      18 03
      10 02
      08 01
      3a 04 6a 73 6f 6e
      32 04 67 7a 69 70
    `)
    const frame = decoded(bytes)
    assert.strictEqual(frame.seqId, 1n)
    assert.strictEqual(frame.logId, 2n)
    assert.strictEqual(frame.service, 3)
    assert.strictEqual(frame.method, 1)
    assert.deepStrictEqual(frame.headers, [{ key: "k", value: "v" }])
    assert.strictEqual(frame.payloadType, "json")
    assert.strictEqual(frame.payloadEncoding, "gzip")
    assert.deepStrictEqual([...frame.payload!], [0x41])
  })

  it("keeps repeated headers in order and round-trips arbitrary frames", () => {
    const frame: Frame.Frame = {
      seqId: 2n ** 53n + 1n,
      logId: 127n,
      service: 2147483647,
      method: -2147483648,
      headers: [{ key: "type", value: "event" }, { key: "type", value: "card" }, { key: "中文", value: "" }],
      payloadEncoding: "",
      payloadType: "p",
      payload: new Uint8Array(300).fill(0xab),
      logIdNew: "x".repeat(200)
    }
    assert.deepStrictEqual(decoded(Frame.encode(frame)), frame)
    assert.strictEqual(Frame.header(frame, "type"), "event")
  })

  it("writes strings as UTF-8 byte for byte like TextEncoder, astral and lone surrogates included", () => {
    const text = "a\u00e9\u4e2d\u{1d11e}\ud800x\udc00"
    const frame = Frame.encode({ seqId: 0n, logId: 0n, service: 0, method: 0, headers: [{ key: text, value: "" }] })
    const expected = new TextEncoder().encode(text)
    // 08 00 10 00 18 00 20 00 2a <header length> 0a <key length> <key bytes> 12 00
    assert.strictEqual(toHex(frame.subarray(12, 12 + expected.length)), toHex(expected))
    assert.strictEqual(frame[11], expected.length)
    assert.strictEqual(decoded(frame).headers[0]!.key, new TextDecoder().decode(expected))
  })

  it("rejects malformed frames with a typed error instead of throwing", () => {
    assert.strictEqual(failure(hex("08 00 10 00 18 07")), "missing required field method")
    assert.strictEqual(failure(hex("08 80")), "truncated varint")
    assert.strictEqual(failure(hex("08 00 10 00 18 00 20 00 42 05 01")), "length-delimited field runs past the end")
    assert.strictEqual(failure(hex("08 00 10 00 18 00 20 00 2b")), "unsupported wire type 3")
    assert.strictEqual(failure(hex("08 00 10 00 18 00 20 00 2a 02 0a 00")), "header  has no value")
    assert.strictEqual(failure(hex("08 00 10 00 18 00 20 00 2a 05 0a 01 ff 12 00")), "a string field is not valid UTF-8")
    assert.strictEqual(failure(hex("08 ff ff ff ff ff ff ff ff ff ff 01")), "varint longer than ten bytes")
  })

  it("a reply built from the received bytes decodes as that frame with one more header and the new payload", () => {
    const biz = { key: "biz_rt", value: "12" }
    const answer = new TextEncoder().encode(`{"code":200}`)
    const received: Array<Uint8Array> = [
      DATA, // the payload sits between the headers and LogIDNew
      PING, // no payload at all
      Frame.encode({ ...dataFrame, payload: new Uint8Array(0) }),
      Frame.encode({ ...dataFrame, headers: [{ key: "type", value: "event" }, { key: "中文", value: "é" }], payload: new Uint8Array(200).fill(7) }),
      // fields out of order, payload first, an unknown field kept
      hex(`42 01 41  20 01  18 03  10 02  08 01  2a 06 0a 01 6b 12 01 76  f8 01 05`)
    ]
    for (const bytes of received) {
      const original = decoded(bytes)
      const reply = Frame.encodeReply(bytes, biz, answer)
      assert.deepStrictEqual(decoded(reply), { ...original, headers: [...original.headers, biz], payload: answer })
    }
  })

  it("refuses to encode ids outside uint64", () => {
    assert.throws(() => Frame.encode({ ...dataFrame, seqId: -1n }), RangeError)
    assert.throws(() => Frame.encode({ ...dataFrame, logId: 2n ** 64n }), RangeError)
  })
})
