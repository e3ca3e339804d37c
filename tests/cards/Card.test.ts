/**
 * The builders' output is the platform's card JSON 2.0: each expected value below is written by hand in the
 * platform's format (field names and nesting as in the card JSON 2.0 documents), not derived from the code.
 */
import { assert, describe, it } from "@effect/vitest"
import { Card } from "../../src/cards/index.js"
import { isFailure } from "../../src/internal/dialect.js"

describe("Card builders", () => {
  it("a card with a header, markdown, a divider, an image and buttons", () => {
    const card = Card.make({
      header: Card.header("Deploy", { template: "green", subtitle: "prod" }),
      config: { update_multi: true, width_mode: "fill" },
      elements: [
        Card.markdown("**ready**", { text_align: "center", element_id: "status" }),
        Card.divider(),
        Card.image("img_v2_1", "diagram"),
        Card.div("plain words"),
        Card.div(Card.larkMd("*lark md*")),
        Card.button("Ship it", { type: "primary", onClick: Card.callback({ ship: true }) }),
        Card.button("Docs", { onClick: Card.openUrl("https://example.com/docs", { pc_url: "https://example.com/pc" }) })
      ]
    })
    assert.deepStrictEqual(card, {
      schema: "2.0",
      config: { update_multi: true, width_mode: "fill" },
      header: {
        title: { tag: "plain_text", content: "Deploy" },
        subtitle: { tag: "plain_text", content: "prod" },
        template: "green"
      },
      body: {
        elements: [
          { tag: "markdown", content: "**ready**", text_align: "center", element_id: "status" },
          { tag: "hr" },
          { tag: "img", img_key: "img_v2_1", alt: { tag: "plain_text", content: "diagram" } },
          { tag: "div", text: { tag: "plain_text", content: "plain words" } },
          { tag: "div", text: { tag: "lark_md", content: "*lark md*" } },
          {
            tag: "button",
            text: { tag: "plain_text", content: "Ship it" },
            type: "primary",
            behaviors: [{ type: "callback", value: { ship: true } }]
          },
          {
            tag: "button",
            text: { tag: "plain_text", content: "Docs" },
            behaviors: [{ type: "open_url", default_url: "https://example.com/docs", pc_url: "https://example.com/pc" }]
          }
        ]
      }
    })
    assert.isFalse(isFailure(Card.validate(card)))
  })

  it("a form with an input, a select and submit / reset buttons in columns", () => {
    const card = Card.make({
      elements: [
        Card.form("leave", [
          Card.input("reason", { placeholder: "Why?", label: "Reason", required: true, max_length: 200 }),
          Card.select("days", ["1", { text: "Two days", value: "2" }], { placeholder: "How long", initial_option: "1" }),
          Card.columns([
            [Card.submit("Send", "send", { type: "primary_filled", onClick: Card.callback({ form: "leave" }) })],
            Card.column([Card.button("Clear", { name: "clear", form_action_type: "reset" })], { width: "weighted", weight: 1 })
          ], { flex_mode: "none", horizontal_spacing: "8px" })
        ])
      ]
    })
    assert.deepStrictEqual(card, {
      schema: "2.0",
      body: {
        elements: [{
          tag: "form",
          name: "leave",
          elements: [
            {
              tag: "input",
              name: "reason",
              required: true,
              max_length: 200,
              placeholder: { tag: "plain_text", content: "Why?" },
              label: { tag: "plain_text", content: "Reason" }
            },
            {
              tag: "select_static",
              name: "days",
              initial_option: "1",
              placeholder: { tag: "plain_text", content: "How long" },
              options: [
                { text: { tag: "plain_text", content: "1" }, value: "1" },
                { text: { tag: "plain_text", content: "Two days" }, value: "2" }
              ]
            },
            {
              tag: "column_set",
              flex_mode: "none",
              horizontal_spacing: "8px",
              columns: [
                {
                  tag: "column",
                  width: "auto",
                  elements: [{
                    tag: "button",
                    text: { tag: "plain_text", content: "Send" },
                    type: "primary_filled",
                    name: "send",
                    form_action_type: "submit",
                    behaviors: [{ type: "callback", value: { form: "leave" } }]
                  }]
                },
                {
                  tag: "column",
                  width: "weighted",
                  weight: 1,
                  elements: [{ tag: "button", text: { tag: "plain_text", content: "Clear" }, name: "clear", form_action_type: "reset" }]
                }
              ]
            }
          ]
        }]
      }
    })
    assert.isFalse(isFailure(Card.validate(card)))
  })

  it("a collapsible panel, body layout and a raw element pass through", () => {
    const table = { tag: "table", columns: [{ name: "a", display_name: "A" }], rows: [{ a: "1" }] }
    const card = Card.make({
      header: "Report",
      layout: { direction: "vertical", padding: "12px" },
      elements: [Card.panel("Details", [Card.markdown("more")], { expanded: true, header: { icon_position: "right" } }), table]
    })
    assert.deepStrictEqual(card, {
      schema: "2.0",
      header: { title: { tag: "plain_text", content: "Report" } },
      body: {
        direction: "vertical",
        padding: "12px",
        elements: [
          {
            tag: "collapsible_panel",
            expanded: true,
            header: { icon_position: "right", title: { tag: "plain_text", content: "Details" } },
            elements: [{ tag: "markdown", content: "more" }]
          },
          table
        ]
      }
    })
  })

  it("defaultCard shows what node-sdk's messageCard.defaultCard shows: a blue header over markdown", () => {
    assert.deepStrictEqual(Card.defaultCard({ title: "Hello", content: "**world**" }), {
      schema: "2.0",
      header: { title: { tag: "plain_text", content: "Hello" }, template: "blue" },
      body: { elements: [{ tag: "markdown", content: "**world**" }] }
    })
  })

  it("template is the interactive content node-sdk's *ByCard send", () => {
    assert.deepStrictEqual(Card.template("AAq1", { name: "x" }, "1.0.2"), {
      type: "template",
      data: { template_id: "AAq1", template_variable: { name: "x" }, template_version_name: "1.0.2" }
    })
    assert.deepStrictEqual(Card.template("AAq1"), { type: "template", data: { template_id: "AAq1" } })
  })
})
