/**
 * The generator's two schema dialects (scripts/codegen/dialect.ts). The `effect3` rendering is what
 * `npm run codegen` writes, and tests/api/codegen.test.ts checks that it equals the committed `schemas/`. Here:
 * the `effect4` rendering (what the Effect 4 edition is built from) differs from it only in the dialect's
 * spellings, `schemas/common.ts` included.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "vitest"
import { emitCommon } from "../../scripts/codegen/common.js"
import { effect3, effect4 } from "../../scripts/codegen/dialect.js"
import { emitAll, HEADER } from "../../scripts/codegen/emit.js"
import { loadBindings } from "../../scripts/codegen/versionless.js"
import { catalog, catalogPresent, skipReason } from "./catalog.js"

const repository = fileURLToPath(new URL("../..", import.meta.url))

const effect3Common = [HEADER, emitCommon(effect3)].join("\n")
const effect4Common = [HEADER, emitCommon(effect4)].join("\n")

/** The index of the quote ending the string literal that starts at `open`. */
const stringEnd = (text: string, open: number): number => {
  let i = open + 1
  while (text[i] !== "\"") i += text[i] === "\\" ? 2 : 1
  return i
}

/** The index of the bracket closing the one at `open`; brackets inside string literals do not count. */
const closing = (text: string, open: number): number => {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const char = text[i]!
    if (char === "\"") i = stringEnd(text, i)
    else if ("([{".includes(char)) depth++
    else if (")]}".includes(char) && --depth === 0) return i
  }
  throw new Error(`unbalanced from ${open}: ${text.slice(open, open + 80)}`)
}

/** The top-level comma-separated parts of a call's arguments. */
const parts = (text: string): Array<string> => {
  const out: Array<string> = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === "\"") i = stringEnd(text, i)
    else if ("([{".includes(char)) i = closing(text, i)
    else if (char === ",") {
      out.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  return [...out, text.slice(start).trim()]
}

/**
 * Effect 4's spellings written back in Effect 3's, independently of dialect.ts: `Codec<A>` to `Schema<A>`,
 * `Literals([a, b])` to `Literal(a, b)`, `Union([a, b])` to `Union(a, b)`, `Record(k, v)` to `Record({ key: k, value: v })`.
 */
const asEffect3 = (text: string): string => {
  const call = /Schema\.(Literals|Union|Record)\(/g
  let out = ""
  let from = 0
  for (let match = call.exec(text); match !== null; match = call.exec(text)) {
    const open = match.index + match[0].length - 1
    const close = closing(text, open)
    const inner = asEffect3(text.slice(open + 1, close))
    out += text.slice(from, match.index)
    if (match[1] === "Record") {
      const [key, value] = parts(inner)
      out += `Schema.Record({ key: ${key}, value: ${value} })`
    } else {
      assert.match(inner, /^\[.*\]$/s, `${match[1]} takes an array on Effect 4`)
      out += `Schema.${match[1] === "Literals" ? "Literal" : "Union"}(${inner.slice(1, -1)})`
    }
    from = close + 1
    call.lastIndex = from
  }
  return (out + text.slice(from)).replaceAll("Schema.Codec<", "Schema.Schema<")
}

const schemasOf = (files: Map<string, string>) => new Map([...files].filter(([path]) => path.startsWith("schemas/")))

describe("the generator's schema dialects", () => {
  const rendered = catalogPresent
    ? {
      effect3: schemasOf(emitAll(catalog!, loadBindings().services, effect3).files),
      effect4: schemasOf(emitAll(catalog!, loadBindings().services, effect4).files)
    }
    : undefined

  it("spell each construct as their Effect major does", () => {
    assert.strictEqual(effect3.literals([`"a"`, `"b"`]), `Schema.Literal("a", "b")`)
    assert.strictEqual(effect4.literals([`"a"`, `"b"`]), `Schema.Literals(["a", "b"])`)
    assert.strictEqual(effect4.literals([`"a"`]), `Schema.Literal("a")`)
    assert.strictEqual(effect3.union(["A", "B"]), "Schema.Union(A, B)")
    assert.strictEqual(effect4.union(["A", "B"]), "Schema.Union([A, B])")
    assert.strictEqual(effect3.record("K", "V"), "Schema.Record({ key: K, value: V })")
    assert.strictEqual(effect4.record("K", "V"), "Schema.Record(K, V)")
    assert.strictEqual(effect3.schemaOf("Message"), "Schema.Schema<Message>")
    assert.strictEqual(effect4.schemaOf("Message"), "Schema.Codec<Message>")
    assert.strictEqual(effect3.annotate(`{ identifier: "X" }`), `Schema.annotations({ identifier: "X" })`)
    assert.strictEqual(effect4.annotate(`{ identifier: "X" }`), `Schema.annotate({ identifier: "X" })`)
  })

  it.skipIf(!catalogPresent)(`render the same files, which differ only in those spellings${skipReason}`, () => {
    const { effect3: three, effect4: four } = rendered!
    assert.isAbove(three.size, 500)
    assert.deepStrictEqual([...four.keys()], [...three.keys()])
    // common.ts also spells annotations and defaults, which its own test below checks
    const differing = [...four]
      .filter(([path, text]) => path !== "schemas/common.ts" && asEffect3(text) !== three.get(path))
      .map(([path]) => path)
    assert.deepStrictEqual(differing, [])
    // and Effect 3's spellings are gone from the Effect 4 rendering
    const left = [...four].filter(([, text]) => /Schema\.Schema<|Schema\.Literal\("[^"]*", |Schema\.Record\(\{ key:|Schema\.Union\([^[]/.test(text))
    assert.deepStrictEqual(left.map(([path]) => path), [])
  })

  it.skipIf(!catalogPresent)(`render representative schemas in Effect 4's Schema${skipReason}`, () => {
    const { effect3: three, effect4: four } = rendered!
    const message = { three: three.get("schemas/im/v1/message.ts")!, four: four.get("schemas/im/v1/message.ts")! }
    // a literal union (a request enum) and the declared schema type
    assert.include(message.three, `receive_id_type: /*#__PURE__*/ Schema.Literal("open_id", "user_id", "union_id", "email", "chat_id", "thread_id")`)
    assert.include(message.four, `receive_id_type: /*#__PURE__*/ Schema.Literals(["open_id", "user_id", "union_id", "email", "chat_id", "thread_id"])`)
    assert.include(message.three, "export const CreateMessageRequest: Schema.Schema<CreateMessageRequest> = ")
    assert.include(message.four, "export const CreateMessageRequest: Schema.Codec<CreateMessageRequest> = ")
    // optional fields read the same on both
    assert.include(message.four, "user_id_type: /*#__PURE__*/ Schema.optional(/*#__PURE__*/ Schema.Literals([")
    // a record of a union, and a model referenced lazily
    const record = { three: three.get("schemas/bitable/v1/appTableRecord.ts")!, four: four.get("schemas/bitable/v1/appTableRecord.ts")! }
    assert.include(record.three, "fields: /*#__PURE__*/ Schema.Record({ key: Schema.String, value: /*#__PURE__*/ Schema.Union(Schema.String, Schema.Number, Schema.Boolean, M.Fields,")
    assert.include(record.four, "fields: /*#__PURE__*/ Schema.Record(Schema.String, /*#__PURE__*/ Schema.Union([Schema.String, Schema.Number, Schema.Boolean, M.Fields,")
    const models = four.get("schemas/bitable/v1/models.ts")!
    assert.include(models, "Schema.suspend((): Schema.Codec<Person> => Person)")
    assert.include(four.get("schemas/im/v1/models.ts")!, `import * as Schema from "effect/Schema"`)
  })

  it("schemas/common.ts is generated in each dialect, differing only in Effect 4's spellings", () => {
    const three = effect3Common.split("\n")
    const four = effect4Common.split("\n")
    assert.strictEqual(readFileSync(join(repository, "schemas/common.ts"), "utf8"), effect3Common)
    const names = (text: ReadonlyArray<string>) => text.flatMap((line) => /^export (?:const|type) (\w+)/.exec(line)?.[1] ?? [])
    assert.deepStrictEqual(names(four), names(three))
    assert.deepStrictEqual(three.filter((line) => !four.includes(line)), [
      `export const Int64String = /*#__PURE__*/ Schema.String.pipe(Schema.brand("Int64String"), Schema.annotations({ identifier: "Int64String" }))`,
      `  msg: Schema.optionalWith(Schema.String, { default: () => "" }),`,
      "export const UploadableFile: Schema.Schema<Uploadable> = /*#__PURE__*/ Schema.declare(isUploadable, {"
    ])
    // an annotation, an optional key with a default, the declared schema type
    assert.deepStrictEqual(four.filter((line) => !three.includes(line)), [
      `import * as Effect from "effect/Effect"`,
      `export const Int64String = /*#__PURE__*/ Schema.String.pipe(Schema.brand("Int64String"), Schema.annotate({ identifier: "Int64String" }))`,
      `  msg: Schema.String.pipe(Schema.withConstructorDefault(Effect.succeed("")), Schema.withDecodingDefault(Effect.succeed(""))),`,
      "export const UploadableFile: Schema.Codec<Uploadable> = /*#__PURE__*/ Schema.declare(isUploadable, {"
    ])
  })

})
