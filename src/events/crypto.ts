/**
 * The pure crypto layer of webhook events: request signatures, the legacy card-action signature,
 * and the AES-256-CBC envelope of `{"encrypt": "..."}` bodies.
 *
 * - Signatures are computed over the RAW request bytes, never over a re-serialised JSON value: the
 *   platform signs the bytes it sent, and `JSON.stringify(JSON.parse(body))` differs from them as soon
 *   as key order, escapes or whitespace differ.
 * - Decryption checks PKCS#7 padding strictly and decodes UTF-8 strictly; there is no `{`..`}` trim
 *   fallback.
 * - Failures are values (`Outcome`s: an `Either` on Effect 3), never exceptions, whatever the input.
 */
import { createCipheriv, createDecipheriv, createHash, hash, randomBytes } from "node:crypto"
import * as Redacted from "effect/Redacted"
import { fail as failed, type Outcome, succeed } from "../internal/dialect.js"
import { EventDecryptError, EventSignatureError } from "./errors.js"

/** A secret given either plainly or wrapped in `Redacted`. */
export type Secret = string | Redacted.Redacted<string>

/** The request body exactly as received: bytes, or a string that is encoded as UTF-8. */
export type RawBody = Uint8Array | string

/** The three `X-Lark-*` signature headers; `undefined` when the header was absent. */
export interface SignatureHeaders {
  /** `X-Lark-Request-Timestamp`, an opaque string. */
  readonly timestamp: string | undefined
  /** `X-Lark-Request-Nonce`. */
  readonly nonce: string | undefined
  /** `X-Lark-Signature`, lowercase hex. */
  readonly signature: string | undefined
}

/** Header names, lowercase as Node's `IncomingMessage.headers` presents them. */
export const headerNames = {
  timestamp: "x-lark-request-timestamp",
  nonce: "x-lark-request-nonce",
  signature: "x-lark-signature"
} as const

/** The value of a secret given plainly or as `Redacted`. */
export const reveal = (secret: Secret): string => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/**
 * Scratch space for the bytes of one signature or ciphertext at a time. Everything that uses it is
 * synchronous and copies out what it keeps, so one buffer serves every request (no allocation per event).
 */
const SCRATCH_BYTES = 64 * 1024
let scratch: Buffer | undefined

/** A buffer of `size` bytes: `scratch` (made on first use, not at import) when it fits, else a new one. */
const bufferFor = (size: number): Buffer =>
  size <= SCRATCH_BYTES ? (scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES)) : Buffer.allocUnsafe(size)

/** `parts` concatenated as UTF-8, in `scratch` when they fit (valid until the next use), else in a new buffer. */
const joined = (parts: ReadonlyArray<string>, tail: Uint8Array): Buffer => {
  let size = tail.length
  for (const part of parts) size += Buffer.byteLength(part, "utf8")
  const target = bufferFor(size)
  let at = 0
  for (const part of parts) at += target.write(part, at, "utf8")
  target.set(tail, at)
  return target.subarray(0, size)
}

const digest = (
  algorithm: "sha256" | "sha1",
  timestamp: string,
  nonce: string,
  secret: Secret,
  rawBody: RawBody
): string =>
  hash(
    algorithm,
    joined([timestamp, nonce, reveal(secret)], typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody),
    "hex"
  )

/**
 * The event signature: lowercase hex SHA-256 of `timestamp + nonce + encryptKey + rawBody`, with the
 * three strings as UTF-8 and the body as its raw bytes (no separators).
 */
export const signature = (timestamp: string, nonce: string, encryptKey: Secret, rawBody: RawBody): string =>
  digest("sha256", timestamp, nonce, encryptKey, rawBody)

/**
 * The legacy card-action (`card.action.trigger_v1`) signature: lowercase hex SHA-1 of
 * `timestamp + nonce + verificationToken + rawBody`.
 */
export const cardSignature = (
  timestamp: string,
  nonce: string,
  verificationToken: Secret,
  rawBody: RawBody
): string => digest("sha1", timestamp, nonce, verificationToken, rawBody)


/**
 * A constant-time test of a received string against `secret` (made once, for a server that checks every
 * request). Every character of `received` is compared, with the secret's characters repeated to its length,
 * and a length difference counts as a difference: the time depends on the received length only, so it shows
 * neither the secret's length nor where the first difference is.
 */
export const secretMatcher = (secret: Secret): (received: string) => boolean => {
  const expected = reveal(secret)
  if (expected.length === 0) return (received) => received.length === 0
  return (received) => {
    let difference = received.length ^ expected.length
    for (let i = 0; i < received.length; i++) difference |= received.charCodeAt(i) ^ expected.charCodeAt(i % expected.length)
    return difference === 0
  }
}

/**
 * The secret, or `undefined` when there is none: an empty one is none, as node-sdk reads it (an empty
 * `LARK_ENCRYPT_KEY=` line in a `.env` file); kept, it would refuse every delivery, the URL challenge too.
 */
export const configuredSecret = (secret: Secret | undefined): Secret | undefined =>
  secret === undefined || (typeof secret === "string" ? secret : Redacted.value(secret)) === "" ? undefined : secret

/** Whether `received` equals the secret, in constant time (see {@link secretMatcher}). */
export const sameSecret = (secret: Secret, received: string): boolean => secretMatcher(secret)(received)

/** A check that passed (one shared value, like Effect 3's `Either.void`). */
const passed: Outcome<void, never> = succeed(undefined)

/**
 * Constant-time comparison of a received signature with the expected (ASCII hex) one; the length is
 * checked first, in bytes.
 */
const compare = (expected: string, received: string): Outcome<void, EventSignatureError> => {
  if (Buffer.byteLength(received, "utf8") !== expected.length) {
    return failed(new EventSignatureError({ detail: "signature has the wrong length" }))
  }
  let difference = 0
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ received.charCodeAt(i)
  return difference === 0 ? passed : failed(new EventSignatureError({ detail: "signature does not match" }))
}

const verifyWith = (
  algorithm: "sha256" | "sha1",
  headers: SignatureHeaders,
  secret: Secret,
  rawBody: RawBody
): Outcome<void, EventSignatureError> => {
  const { nonce, signature: received, timestamp } = headers
  if (timestamp === undefined) return failed(new EventSignatureError({ detail: "missing X-Lark-Request-Timestamp header" }))
  if (nonce === undefined) return failed(new EventSignatureError({ detail: "missing X-Lark-Request-Nonce header" }))
  if (received === undefined) return failed(new EventSignatureError({ detail: "missing X-Lark-Signature header" }))
  return compare(digest(algorithm, timestamp, nonce, secret, rawBody), received)
}

/** Checks `X-Lark-Signature` of an event / new-style callback against the raw body. */
export const verifySignature = (
  headers: SignatureHeaders,
  encryptKey: Secret,
  rawBody: RawBody
): Outcome<void, EventSignatureError> => verifyWith("sha256", headers, encryptKey, rawBody)

/** Checks `X-Lark-Signature` of a legacy card action (SHA-1 with the Verification Token). */
export const verifyCardSignature = (
  headers: SignatureHeaders,
  verificationToken: Secret,
  rawBody: RawBody
): Outcome<void, EventSignatureError> => verifyWith("sha1", headers, verificationToken, rawBody)

const BLOCK = 16

/** The AES-256 key: SHA-256 of the UTF-8 Encrypt Key. */
const aesKey = (encryptKey: Secret): Buffer => createHash("sha256").update(reveal(encryptKey), "utf8").digest()

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const fail = (detail: string) => failed(new EventDecryptError({ detail }))

/**
 * Length of valid PKCS#7 padding at the end of `data`, or 0 when the padding is invalid. The bytes are
 * examined without early exit.
 */
const pkcs7Length = (data: Uint8Array): number => {
  const n = data[data.length - 1]!
  let bad = n === 0 || n > BLOCK ? 1 : 0
  for (let i = 1; i <= BLOCK; i++) {
    const inPad = i <= n ? 1 : 0
    bad |= inPad & (data[data.length - i]! !== n ? 1 : 0)
  }
  return bad === 0 ? n : 0
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/**
 * Decodes canonical base64 (standard alphabet, padded, what the platform sends) into `scratch` when it
 * fits (valid until the next use), else into a new buffer; `undefined` for anything else. Node's decoder
 * skips characters it does not understand and accepts the URL-safe alphabet, so the byte count must be
 * the one the length implies, `-` and `_` must be absent, and the bits of the last character beyond the
 * data (2 with one `=`, 4 with two) must be zero.
 */
const fromBase64 = (text: string): Buffer | undefined => {
  if (typeof text !== "string" || text.length === 0 || text.length % 4 !== 0) return undefined
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0
  const size = (text.length / 4) * 3 - padding
  const target = bufferFor(size)
  if (target.write(text, 0, "base64") !== size) return undefined
  if (text.includes("-") || text.includes("_")) return undefined
  const lastBits = BASE64_ALPHABET.indexOf(text.charAt(text.length - 1 - padding)) & (padding === 2 ? 0b1111 : padding === 1 ? 0b11 : 0)
  return lastBits === 0 ? target.subarray(0, size) : undefined
}

/**
 * Decrypts the `encrypt` field of an event body: `base64(IV ‖ AES-256-CBC(PKCS#7(plaintext)))` with
 * key SHA-256(encryptKey). Returns the UTF-8 plaintext, or an `EventDecryptError` for bad base64, a
 * bad length, bad padding (wrong key or tampered data) or a plaintext that is not UTF-8.
 */
export const decrypt = (encryptKey: Secret, encrypted: string): Outcome<string, EventDecryptError> =>
  decrypter(encryptKey)(encrypted)

/**
 * {@link decrypt} for one Encrypt Key, for a server decrypting every request: creating a decipher per
 * request costs more than the decryption itself, so one long-lived CBC decipher serves them all. CBC
 * decrypts block i as AES⁻¹(C_i) XOR C_{i-1}: fed `IV ‖ ciphertext`, it returns one garbage block (the
 * IV decrypted against whatever came before) and then exactly the plaintext, since the IV is the C_{-1}
 * of the first real block.
 */
export const decrypter = (encryptKey: Secret): (encrypted: string) => Outcome<string, EventDecryptError> => {
  const key = aesKey(encryptKey)
  const chained = () => createDecipheriv("aes-256-cbc", key, Buffer.alloc(BLOCK)).setAutoPadding(false)
  let decipher = chained()
  return (encrypted) => {
    const data = fromBase64(encrypted)
    if (data === undefined) return fail("encrypt is not valid base64")
    if (data.length < 2 * BLOCK) return fail("ciphertext is too short")
    if (data.length % BLOCK !== 0) return fail("ciphertext length is not a multiple of the AES block size")
    let padded: Buffer
    try {
      // Whole blocks without padding: `update` returns every block and keeps nothing back.
      padded = decipher.update(data).subarray(BLOCK)
    } catch {
      decipher = chained()
      return fail("ciphertext could not be decrypted")
    }
    const pad = pkcs7Length(padded)
    if (pad === 0) return fail("bad PKCS#7 padding (wrong Encrypt Key or tampered data)")
    try {
      return succeed(utf8.decode(padded.subarray(0, padded.length - pad)))
    } catch {
      return fail("plaintext is not valid UTF-8 (wrong Encrypt Key or tampered data)")
    }
  }
}

/**
 * Encrypts `plaintext` the way the platform does (the inverse of {@link decrypt}). `iv` defaults to 16
 * random bytes; pass one only to get deterministic output in tests. A wrong-length IV is a defect.
 */
export const encrypt = (encryptKey: Secret, plaintext: string, iv?: Uint8Array): string => {
  const vector = iv === undefined ? randomBytes(BLOCK) : Buffer.from(iv)
  if (vector.length !== BLOCK) throw new RangeError(`IV must be ${BLOCK} bytes, got ${vector.length}`)
  const cipher = createCipheriv("aes-256-cbc", aesKey(encryptKey), vector)
  return Buffer.concat([vector, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64")
}
