/**
 * Card.validate refuses what the platform's documents say it refuses, each with its reason and the path of
 * the offending element; valid cards come back unchanged.
 */
import { assert, describe, it } from "@effect/vitest"
import { Card, type LarkCardError } from "../../src/cards/index.js"
import { getFailure, isFailure, succeed } from "../../src/internal/dialect.js"

const refused = (card: unknown): LarkCardError => {
  const result = Card.validate(card)
  if (!isFailure(result)) assert.fail("the card should be refused")
  return getFailure(result)
}

const expectRefused = (card: unknown, reason: LarkCardError["reason"], path: string) => {
  const error = refused(card)
  assert.strictEqual(error._tag, "LarkCardError")
  assert.strictEqual(error.reason, reason, error.message)
  assert.strictEqual(error.path, path)
}

const body = (...elements: ReadonlyArray<unknown>) => ({ schema: "2.0", body: { elements } })

describe("Card.validate", () => {
  it("returns a valid card as it is", () => {
    const card = Card.make({ elements: [Card.markdown("hi", { element_id: "a_1" })] })
    assert.deepStrictEqual(Card.validate(card), succeed(card))
  })

  it("needs schema 2.0 and an elements array", () => {
    expectRefused({ elements: [] }, "Structure", "schema")
    expectRefused({ schema: "2.0", body: {} }, "Structure", "body.elements")
    expectRefused(body("not an element"), "Structure", "body.elements[0]")
  })

  it("element_id: a letter first, then letters, digits and _, at most 20 characters", () => {
    for (const bad of ["1abc", "_abc", "has-dash", "a".repeat(21), "中文"]) {
      expectRefused(body(Card.markdown("x", { element_id: bad })), "ElementId", "body.elements[0]")
    }
    assert.isFalse(isFailure(Card.validate(body(Card.markdown("x", { element_id: `A${"b_9".repeat(6)}x` })))))
  })

  it("the element_id of a text element is checked too", () => {
    expectRefused(body({ tag: "div", text: { tag: "plain_text", content: "x", element_id: "bad-id" } }), "ElementId", "body.elements[0].text")
  })

  it("element_id is unique in the whole card, nested elements included", () => {
    const card = body(
      Card.markdown("x", { element_id: "same" }),
      Card.columns([[Card.button("b", { element_id: "same" })]])
    )
    expectRefused(card, "DuplicateElementId", "body.elements[1].columns[0].elements[0]")
  })

  it("a form sits directly in the body, holds no form or table, and its name is unique", () => {
    expectRefused(body(Card.panel("p", [Card.form("f", [])])), "FormPlacement", "body.elements[0].elements[0]")
    expectRefused(body(Card.form("f", [{ tag: "table", rows: [] }])), "FormPlacement", "body.elements[0].elements[0]")
    expectRefused(body(Card.form("f", []), Card.form("f", [])), "FormName", "body.elements[1]")
    expectRefused(body({ tag: "form", elements: [] }), "FormName", "body.elements[0]")
  })

  it("the fields of a form have names, unique in the form (the same name in two forms is fine)", () => {
    expectRefused(
      body(Card.form("f", [Card.input("who"), Card.columns([[Card.select("who", ["a"])]])])),
      "FieldName",
      "body.elements[0].elements[1].columns[0].elements[0]"
    )
    expectRefused(body(Card.form("f", [{ tag: "select_static", options: [] }])), "FieldName", "body.elements[0].elements[0]")
    expectRefused(body(Card.form("f", [Card.button("go", { form_action_type: "submit" })])), "FieldName", "body.elements[0].elements[0]")
    const twoForms = body(Card.form("f", [Card.input("who"), Card.submit("go", "go")]), Card.form("g", [Card.input("who")]))
    assert.isFalse(isFailure(Card.validate(twoForms)))
  })

  it("a submit or reset button outside a form is refused", () => {
    expectRefused(body(Card.columns([[Card.submit("go", "go")]])), "FormActionOutsideForm", "body.elements[0].columns[0].elements[0]")
  })

  it("the 1.0 components action and note are refused", () => {
    expectRefused(body({ tag: "action", actions: [] }), "UnsupportedTag", "body.elements[0]")
    expectRefused(body(Card.columns([[{ tag: "note", elements: [] }]])), "UnsupportedTag", "body.elements[0].columns[0].elements[0]")
  })

  it("at most 200 elements and components, the texts inside them counted", () => {
    const buttons = (n: number) => Array.from({ length: n }, (_, i) => Card.button(`b${i}`)) // a button and its plain_text: 2 each
    assert.isFalse(isFailure(Card.validate(body(...buttons(100)))))
    const error = refused(body(...buttons(100), Card.divider()))
    assert.strictEqual(error.reason, "TooManyElements")
    assert.match(error.message, /201 elements/)
    // a callback's value is the app's data: a `tag` in it is not an element
    const withValues = Array.from({ length: 100 }, () => Card.button("b", { onClick: Card.callback({ tag: "v", more: [{ tag: "w" }] }) }))
    assert.isFalse(isFailure(Card.validate(body(...withValues))))
  })

  it("a table's columns are column definitions and its rows are data, neither checked as components", () => {
    const table = (rows: ReadonlyArray<Record<string, string>>) => ({
      tag: "table",
      element_id: "scores",
      columns: [{ name: "tag", display_name: "Tag", data_type: "text" }, { name: "city", display_name: "City", data_type: "text" }],
      rows
    })
    const card = body(table([{ tag: "north", city: "Beijing" }]))
    assert.deepStrictEqual(Card.validate(card), succeed(card as unknown as Card.Card))
    // 250 rows whose `tag` column holds a string: data, not 250 elements
    const many = Array.from({ length: 250 }, (_, i) => ({ tag: `t${i}`, city: "Hangzhou" }))
    assert.isFalse(isFailure(Card.validate(body(table(many)))))
    // a column set's columns are components still
    expectRefused(body({ tag: "column_set", columns: [{ name: "not a column" }] }), "Structure", "body.elements[0].columns[0]")
  })
})
