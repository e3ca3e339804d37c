import { assert, describe, it } from "@effect/vitest"
import { AESCipher } from "@larksuiteoapi/node-sdk"
import * as Redacted from "effect/Redacted"
import { createCipheriv, createHash } from "node:crypto"
import * as Crypto from "../../src/events/crypto.js"
import { EventDecodeError, EventDecryptError, EventSignatureError } from "../../src/events/errors.js"
import { getFailure, getSuccess, isFailure, type Outcome } from "../../src/internal/dialect.js"

// ---------------------------------------------------------------------------------------------
// Test vectors (spec §2.2 and §3, §5.1)
// ---------------------------------------------------------------------------------------------

const E1 = { key: "test key", input: "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", plaintext: "hello world" }
const E2 = {
  key: "mazhe.nerd",
  input:
    "tT1xP+ovuc0T3b/rnZX3ax76exqAn0ANQ6/U45GcciC0mgNBc8JtvqOJGNAPMKpgRs2dVU1NYk9VDeqS8T4SYtU0hzNU54aS84WnxvZ3VFfDcy/RyABlNqlUiGyLDzFI0yxdCMT4KR/YEQXlt6nZi50KwRlZ+A75r645KesZuLMljezYyY8VeeXEVjPw35+e",
  plaintext:
    `{"challenge":"5634b122-c042-4634-bc7f-b07a3c3e77ad","token":"iRdCP2WwXNBXRM3mGLqhrgch3cn0gbT6","type":"url_verification"}`
}
const E4 = {
  key: "test key",
  plaintext: `{"challenge":"abc","token":"t","type":"url_verification"}`,
  output:
    "AAAAAAAAAAAAAAAAAAAAABgLw1kLwGFjbDY7DTSdFkuVG+OktoBZia+FdIlK6+SChw79qp1SCYxbzVGZJUhqKR4/9RcjQWE7yXMOAvqydpw="
}

/** A v2 event body of our own with non-ASCII text, so that hashing the raw UTF-8 bytes matters. */
const unicodeBody =
  `{"schema":"2.0","header":{"event_id":"evt_0001","event_type":"contact.user.created_v3","app_id":"cli_test","tenant_key":"tk","create_time":"1700000000000","token":"v"},"event":{"object":{"open_id":"ou_test","name":"张三 Zoë"}}}`

const S1 = {
  timestamp: "1700000000",
  nonce: "nonce123",
  key: "test key",
  body: `{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}`,
  hex: "669e3ed5328644f71370e3249f96af0fd17e5ed4d7b178c44f11f7997339e344"
}
/** Computed here with node:crypto directly, as an independent check of the raw-bytes rule. */
const S2 = {
  timestamp: "timestamp",
  nonce: "nonce",
  key: "1212121212",
  body: unicodeBody,
  hex: createHash("sha256").update(Buffer.from(`timestampnonce1212121212${unicodeBody}`, "utf8")).digest("hex")
}
const C1 = {
  timestamp: "1700000000",
  nonce: "nonce123",
  token: "vtoken",
  body: `{"open_id":"ou_x","token":"c-x","action":{"tag":"button","value":{"k":"v"}}}`,
  hex: "6918ed0e214bc2b0d6a38f39a4ad67745e0b576b"
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const right = <A, E>(e: Outcome<A, E>): A => {
  if (isFailure(e)) throw new Error(`expected Right, got ${String(getFailure(e))}`)
  return getSuccess(e)
}

const left = <A, E>(e: Outcome<A, E>): E => {
  if (!isFailure(e)) throw new Error(`expected Left, got Right(${JSON.stringify(getSuccess(e))})`)
  return getFailure(e)
}

const decryptError = (e: Outcome<string, EventDecryptError>): EventDecryptError => {
  const err = left(e)
  assert.instanceOf(err, EventDecryptError)
  assert.strictEqual(err._tag, "EventDecryptError")
  return err
}

const signatureError = (e: Outcome<void, EventSignatureError>): EventSignatureError => {
  const err = left(e)
  assert.instanceOf(err, EventSignatureError)
  assert.strictEqual(err._tag, "EventSignatureError")
  return err
}

/** Encrypts raw blocks without padding, to build ciphertexts with chosen (bad) padding. */
const rawEncrypt = (key: string, iv: Uint8Array, blocks: Uint8Array): string => {
  const cipher = createCipheriv("aes-256-cbc", createHash("sha256").update(key).digest(), iv)
  cipher.setAutoPadding(false)
  return Buffer.concat([Buffer.from(iv), cipher.update(blocks), cipher.final()]).toString("base64")
}

const zeroIv = new Uint8Array(16)

/** Node SDK oracle: its decrypt throws on bad padding. */
const sdkDecrypt = (key: string, input: string): { ok: true; value: string } | { ok: false } => {
  try {
    return { ok: true, value: new AESCipher(key).decrypt(input) }
  } catch {
    return { ok: false }
  }
}

/** mulberry32: a small seeded PRNG, so the fuzz is reproducible. */
const prng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256))
  return { next, int, bytes }
}

// ---------------------------------------------------------------------------------------------
// Decryption
// ---------------------------------------------------------------------------------------------

describe("decrypt: spec vectors", () => {
  it("E1 (platform docs sample)", () => {
    assert.strictEqual(right(Crypto.decrypt(E1.key, E1.input)), E1.plaintext)
  })

  it("E2 (node-sdk challenge test)", () => {
    const text = right(Crypto.decrypt(E2.key, E2.input))
    assert.strictEqual(text, E2.plaintext)
    assert.strictEqual(JSON.parse(text).challenge, "5634b122-c042-4634-bc7f-b07a3c3e77ad")
  })

  it("E4 (zero IV) encrypts exactly and decrypts back", () => {
    assert.strictEqual(Crypto.encrypt(E4.key, E4.plaintext, zeroIv), E4.output)
    assert.strictEqual(right(Crypto.decrypt(E4.key, E4.output)), E4.plaintext)
  })

  it("SHA-256 of the E2 key matches the spec", () => {
    assert.strictEqual(
      createHash("sha256").update(E2.key).digest("hex"),
      "7200ed16996143c377d71d4bf6e88f188fcc926e9f87ce25f10f2aa61f8d7c73"
    )
  })

  it("accepts a Redacted key", () => {
    assert.strictEqual(right(Crypto.decrypt(Redacted.make(E1.key), E1.input)), E1.plaintext)
    assert.strictEqual(Crypto.encrypt(Redacted.make(E4.key), E4.plaintext, zeroIv), E4.output)
  })
})

describe("decrypt: round trips and the node-sdk oracle", () => {
  const plaintexts = [
    "",
    "a",
    "x".repeat(15),
    "x".repeat(16),
    "x".repeat(17),
    unicodeBody,
    "emoji 🎉 and 中文 and \u0000 nul",
    "\uFEFFleading BOM is kept",
    JSON.stringify({ big: "y".repeat(100_000) })
  ]

  it("decrypt(encrypt(p)) === p, with random and fixed IVs", () => {
    for (const p of plaintexts) {
      assert.strictEqual(right(Crypto.decrypt("k", Crypto.encrypt("k", p))), p)
      assert.strictEqual(right(Crypto.decrypt("k", Crypto.encrypt("k", p, zeroIv))), p)
    }
  })

  it("random IVs give different ciphertexts", () => {
    assert.notStrictEqual(Crypto.encrypt("k", "same"), Crypto.encrypt("k", "same"))
  })

  it("node-sdk AESCipher decrypts what we encrypt", () => {
    for (const p of plaintexts) {
      for (const key of ["test key", "mazhe.nerd", "密钥 with unicode", ""]) {
        const r = sdkDecrypt(key, Crypto.encrypt(key, p))
        assert.deepStrictEqual(r, { ok: true, value: p })
      }
    }
  })

  it("we decrypt what node-sdk decrypts (spec vectors agree with the oracle)", () => {
    for (const v of [E1, E2]) {
      const sdk = sdkDecrypt(v.key, v.input)
      assert.isTrue(sdk.ok)
      if (sdk.ok) assert.strictEqual(right(Crypto.decrypt(v.key, v.input)), sdk.value)
    }
  })

  it("one decrypter serves request after request, whatever failed in between", () => {
    const decrypt = Crypto.decrypter("k")
    const wrongKey = Crypto.encrypt("other key", "secret")
    for (let i = 0; i < 50; i++) {
      const p = plaintexts[i % plaintexts.length]!
      assert.strictEqual(right(decrypt(Crypto.encrypt("k", p))), p)
      decryptError(decrypt(wrongKey))
      decryptError(decrypt("not base64!"))
    }
  })

  it("rejects a wrong-length IV as a defect", () => {
    assert.throws(() => Crypto.encrypt("k", "p", new Uint8Array(8)), RangeError)
  })
})

describe("decrypt: every bad input is a typed EventDecryptError", () => {
  it("bad base64", () => {
    for (const bad of ["not base64!", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk", "P37w-VZI", "ab=c", "   ", "AAAA\nAAAA"]) {
      assert.match(decryptError(Crypto.decrypt(E1.key, bad)).detail, /base64/)
    }
  })

  it("non-string input (untyped JSON) does not throw", () => {
    assert.match(decryptError(Crypto.decrypt(E1.key, 42 as unknown as string)).detail, /base64/)
    assert.match(decryptError(Crypto.decrypt(E1.key, null as unknown as string)).detail, /base64/)
  })

  it("too short: empty, IV only, less than two blocks", () => {
    for (const n of [0, 1, 15, 16, 17, 31]) {
      const input = Buffer.alloc(n).toString("base64")
      assert.match(decryptError(Crypto.decrypt(E1.key, input)).detail, /too short|multiple|base64/)
    }
    assert.match(decryptError(Crypto.decrypt(E1.key, Buffer.alloc(16).toString("base64"))).detail, /too short/)
  })

  it("length not a multiple of 16", () => {
    const raw = Buffer.from(E1.input, "base64")
    const input = Buffer.concat([raw, Buffer.from([1, 2, 3])]).toString("base64")
    assert.match(decryptError(Crypto.decrypt(E1.key, input)).detail, /multiple/)
  })

  it("wrong key", () => {
    for (const key of ["wrong key", "test key ", "Test key", ""]) {
      decryptError(Crypto.decrypt(key, E2.input))
    }
  })

  it("a tampered byte in the last block breaks the padding", () => {
    const raw = Buffer.from(E1.input, "base64")
    for (const i of [raw.length - 1, raw.length - 16]) {
      const copy = Buffer.from(raw)
      copy[i] = copy[i]! ^ 0x01
      decryptError(Crypto.decrypt(E1.key, copy.toString("base64")))
    }
  })

  it("bad padding: pad byte 0, pad byte > 16, unequal pad bytes", () => {
    const block = (tail: Array<number>) => {
      const b = Buffer.alloc(16, 0x61)
      Buffer.from(tail).copy(b, 16 - tail.length)
      return b
    }
    const cases = [
      block([0x00]),
      block([0x11]),
      block([0xff]),
      block([0x01, 0x02]),
      block([0x02, 0x03, 0x03]),
      block([0x05, 0x04, 0x04, 0x04]),
      Buffer.concat([Buffer.alloc(16, 0x10), block([0x20])])
    ]
    for (const blocks of cases) {
      const err = decryptError(Crypto.decrypt("k", rawEncrypt("k", zeroIv, blocks)))
      assert.match(err.detail, /padding/)
    }
  })

  it("valid edge paddings: 1 byte and a full block of 16s", () => {
    const one = Buffer.concat([Buffer.from("fifteen chars!!"), Buffer.from([0x01])])
    assert.strictEqual(right(Crypto.decrypt("k", rawEncrypt("k", zeroIv, one))), "fifteen chars!!")
    const full = Buffer.concat([Buffer.from("sixteen chars!!!"), Buffer.alloc(16, 0x10)])
    assert.strictEqual(right(Crypto.decrypt("k", rawEncrypt("k", zeroIv, full))), "sixteen chars!!!")
  })

  it("well-padded but not UTF-8", () => {
    const blocks = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.alloc(13, 13)])
    assert.match(decryptError(Crypto.decrypt("k", rawEncrypt("k", zeroIv, blocks))).detail, /UTF-8/)
  })

  it("errors carry neither the key nor the plaintext", () => {
    const secretKey = "super-secret-encrypt-key"
    const errs = [
      decryptError(Crypto.decrypt(secretKey, E2.input)),
      decryptError(Crypto.decrypt(secretKey, "!!")),
      decryptError(Crypto.decrypt(E2.key, rawEncrypt(E2.key, zeroIv, Buffer.from("secret plaintext")))),
      decryptError(Crypto.decrypt(E2.key, rawEncrypt(E2.key, zeroIv, Buffer.concat([Buffer.from([0xff]), Buffer.alloc(15, 15)]))))
    ]
    for (const e of errs) {
      const shown = `${e.message} ${JSON.stringify(e)} ${String(e)}`
      assert.notInclude(shown, secretKey)
      assert.notInclude(shown, E2.key)
      assert.notInclude(shown, "secret plaintext")
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

const headersOf = (v: { timestamp: string; nonce: string; hex: string }): Crypto.SignatureHeaders => ({
  timestamp: v.timestamp,
  nonce: v.nonce,
  signature: v.hex
})

describe("event signature (SHA-256)", () => {
  it("matches the spec vectors, for string and byte bodies", () => {
    for (const v of [S1, S2]) {
      assert.strictEqual(Crypto.signature(v.timestamp, v.nonce, v.key, v.body), v.hex)
      assert.strictEqual(Crypto.signature(v.timestamp, v.nonce, v.key, new TextEncoder().encode(v.body)), v.hex)
      assert.strictEqual(Crypto.signature(v.timestamp, v.nonce, Redacted.make(v.key), v.body), v.hex)
    }
  })

  it("a body larger than any internal buffer is hashed whole", () => {
    const body = `{"encrypt":"${"z".repeat(200_000)}"}`
    const expected = createHash("sha256").update(`1nonce密钥${body}`, "utf8").digest("hex")
    assert.strictEqual(Crypto.signature("1", "nonce", "密钥", body), expected)
    assert.strictEqual(Crypto.signature("1", "nonce", "密钥", Buffer.from(body)), expected)
  })

  it("verifySignature accepts the vectors", () => {
    for (const v of [S1, S2]) {
      assert.isFalse(isFailure(Crypto.verifySignature(headersOf(v), v.key, v.body)))
      assert.isFalse(isFailure(Crypto.verifySignature(headersOf(v), v.key, Buffer.from(v.body))))
    }
  })

  it("is computed over the raw bytes: a re-serialised body does not verify", () => {
    const reserialised = JSON.stringify(JSON.parse(S2.body), null, 1)
    signatureError(Crypto.verifySignature(headersOf(S2), S2.key, reserialised))
    // bytes that are not valid UTF-8 are hashed as they are, not replaced
    const raw = Uint8Array.from([0x7b, 0xff, 0x7d])
    const sig = Crypto.signature("t", "n", "k", raw)
    assert.notStrictEqual(sig, Crypto.signature("t", "n", "k", Buffer.from(raw).toString("utf8")))
    assert.isFalse(isFailure(Crypto.verifySignature({ timestamp: "t", nonce: "n", signature: sig }, "k", raw)))
  })

  it("bad signature, wrong key, changed field", () => {
    const flipped = S1.hex.slice(0, -1) + (S1.hex.endsWith("4") ? "5" : "4")
    assert.match(signatureError(Crypto.verifySignature({ ...headersOf(S1), signature: flipped }, S1.key, S1.body)).detail, /does not match/)
    signatureError(Crypto.verifySignature(headersOf(S1), "other key", S1.body))
    signatureError(Crypto.verifySignature({ ...headersOf(S1), timestamp: "1700000001" }, S1.key, S1.body))
    signatureError(Crypto.verifySignature({ ...headersOf(S1), nonce: "nonce124" }, S1.key, S1.body))
    signatureError(Crypto.verifySignature(headersOf(S1), S1.key, S1.body + " "))
    // the header is compared exactly (the platform sends lowercase hex)
    signatureError(Crypto.verifySignature({ ...headersOf(S1), signature: S1.hex.toUpperCase() }, S1.key, S1.body))
  })

  it("signature length mismatch", () => {
    for (const s of ["", "abc", S1.hex + "0", S1.hex.slice(1), "é".repeat(64)]) {
      assert.match(signatureError(Crypto.verifySignature({ ...headersOf(S1), signature: s }, S1.key, S1.body)).detail, /length/)
    }
  })

  it("missing headers", () => {
    for (const field of ["timestamp", "nonce", "signature"] as const) {
      const err = signatureError(Crypto.verifySignature({ ...headersOf(S1), [field]: undefined }, S1.key, S1.body))
      assert.match(err.detail, /missing/)
    }
  })

  it("errors carry neither the key nor the expected signature", () => {
    const err = signatureError(Crypto.verifySignature({ ...headersOf(S1), signature: "0".repeat(64) }, S1.key, S1.body))
    const shown = `${err.message} ${JSON.stringify(err)}`
    assert.notInclude(shown, S1.key)
    assert.notInclude(shown, S1.hex)
  })
})

describe("legacy card-action signature (SHA-1)", () => {
  it("matches the spec vector", () => {
    assert.strictEqual(Crypto.cardSignature(C1.timestamp, C1.nonce, C1.token, C1.body), C1.hex)
    assert.strictEqual(Crypto.cardSignature(C1.timestamp, C1.nonce, C1.token, Buffer.from(C1.body)), C1.hex)
  })

  it("verifyCardSignature accepts it and rejects mismatches", () => {
    assert.isFalse(isFailure(Crypto.verifyCardSignature(headersOf(C1), C1.token, C1.body)))
    signatureError(Crypto.verifyCardSignature(headersOf(C1), "other", C1.body))
    signatureError(Crypto.verifyCardSignature({ ...headersOf(C1), signature: "0".repeat(40) }, C1.token, C1.body))
    assert.match(signatureError(Crypto.verifyCardSignature({ ...headersOf(C1), signature: "0".repeat(64) }, C1.token, C1.body)).detail, /length/)
    // an event (SHA-256) signature is not a card signature
    signatureError(Crypto.verifyCardSignature(headersOf(S1), S1.key, S1.body))
  })
})

describe("errors", () => {
  it("EventDecodeError is a tagged error with a detail", () => {
    const err = new EventDecodeError({ detail: "not JSON" })
    assert.strictEqual(err._tag, "EventDecodeError")
    assert.match(err.message, /not JSON/)
  })
})

// ---------------------------------------------------------------------------------------------
// Deterministic fuzz
// ---------------------------------------------------------------------------------------------

describe("decrypt fuzz (seeded)", () => {
  it("never throws on 12,000 random and mutated inputs; agrees with node-sdk whenever it succeeds", () => {
    const rng = prng(0x1a2c)
    const key = "fuzz key"
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ !\n{}é"
    const seeds = [E4.output, Crypto.encrypt(key, unicodeBody, zeroIv), Crypto.encrypt(key, "hi", zeroIv)]
    let rights = 0
    let lefts = 0
    const N = 12_000
    for (let i = 0; i < N; i++) {
      let input: string
      let k = key
      switch (i % 6) {
        case 0: {
          // random text, mostly from the base64 alphabet
          input = Array.from({ length: rng.int(80) }, () => alphabet[rng.int(alphabet.length)]).join("")
          break
        }
        case 1: {
          // random bytes of block-aligned length: valid base64, random padding after decryption
          input = Buffer.from(rng.bytes(16 * (2 + rng.int(4)))).toString("base64")
          break
        }
        case 2: {
          // random bytes of any length
          input = Buffer.from(rng.bytes(rng.int(100))).toString("base64")
          break
        }
        case 3: {
          // a valid ciphertext with one flipped bit (IV or body)
          const raw = Buffer.from(seeds[rng.int(seeds.length)]!, "base64")
          const at = rng.int(raw.length)
          raw[at] = raw[at]! ^ (1 << rng.int(8))
          input = raw.toString("base64")
          k = i % 12 === 3 ? E4.key : key
          break
        }
        case 4: {
          // a valid ciphertext truncated, extended, or with one character replaced
          const s = seeds[rng.int(seeds.length)]!
          const op = rng.int(3)
          input = op === 0
            ? s.slice(0, rng.int(s.length))
            : op === 1
            ? s + Buffer.from(rng.bytes(rng.int(40))).toString("base64")
            : s.slice(0, rng.int(s.length)) + alphabet[rng.int(alphabet.length)] + s.slice(rng.int(s.length))
          break
        }
        default: {
          // the right ciphertext under a random key
          input = seeds[rng.int(seeds.length)]!
          k = Buffer.from(rng.bytes(1 + rng.int(12))).toString("latin1")
        }
      }
      let result: Outcome<string, EventDecryptError>
      try {
        result = Crypto.decrypt(k, input)
      } catch (e) {
        throw new Error(`decrypt threw on case ${i}: ${String(e)}`)
      }
      if (!isFailure(result)) {
        rights++
        assert.isString(getSuccess(result))
        // whatever we accept, the strict-PKCS#7 node-sdk accepts with the same text
        assert.deepStrictEqual(sdkDecrypt(k, input), { ok: true, value: getSuccess(result) })
      } else {
        lefts++
        assert.instanceOf(getFailure(result), EventDecryptError)
      }
    }
    assert.strictEqual(rights + lefts, N)
    assert.isAbove(rights, 0)
    assert.isAbove(lefts, 0)
  })

  it("for block-aligned random ciphertexts, node-sdk never succeeds where our padding check fails", () => {
    const rng = prng(7)
    for (let i = 0; i < 4_000; i++) {
      const input = Buffer.from(rng.bytes(16 * (2 + rng.int(3)))).toString("base64")
      const ours = Crypto.decrypt("k", input)
      const sdk = sdkDecrypt("k", input)
      if (isFailure(ours) && /padding/.test(getFailure(ours).detail)) assert.isFalse(sdk.ok)
      if (!sdk.ok) assert.isTrue(isFailure(ours))
    }
  })
})

describe("sameSecret (the Verification Token compare)", () => {
  it("is true only for the same text, Redacted or not, whatever the lengths", () => {
    const token = Redacted.make("v-token-123")
    assert.isTrue(Crypto.sameSecret(token, "v-token-123"))
    assert.isTrue(Crypto.sameSecret("v-token-123", "v-token-123"))
    for (const other of ["v-token-124", "v-token-12", "v-token-1234", "", "V-TOKEN-123"]) {
      assert.isFalse(Crypto.sameSecret(token, other), other)
    }
  })
})
