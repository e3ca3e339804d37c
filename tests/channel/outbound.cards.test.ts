/**
 * Cards built with `lark-effect/cards` in the channel's sends: `{ card: Card.make(...) }` and `updateCard`
 * take a built card as well as raw card JSON (checked by tsc: this file is in the type check), and the
 * built card reaches the fake Open Platform as the interactive message's content, unchanged.
 */
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Effect } from "effect"
import { layer } from "../../layers/index.js"
import { Card } from "../../src/cards/index.js"
import type { ChannelService } from "../../src/channel/Channel.js"
import * as Outbound from "../../src/channel/Outbound.js"
import type { OutboundMessage } from "../../src/channel/OutboundMessage.js"
import { type RecordedBody } from "../../src/testing/FakeOpenPlatform.js"
import { withPlatformOn } from "../fixtures/platform.js"

const withPlatform = withPlatformOn(layer)

const built = Card.make({
  header: Card.header("Deploy", { template: "green" }),
  config: { update_multi: true },
  elements: [Card.markdown("**ready**"), Card.button("Ship it", { type: "primary", onClick: Card.callback({ ship: true }) })]
})

const jsonBody = (body: RecordedBody) => {
  assert.strictEqual(body._tag, "Json")
  return (body as Extract<RecordedBody, { _tag: "Json" }>).value as Record<string, unknown>
}

describe("cards built with lark-effect/cards in channel sends", () => {
  it("a built card and raw card JSON are both outbound messages and card updates (checked by tsc)", () => {
    expectTypeOf({ card: built }).toExtend<OutboundMessage>()
    expectTypeOf({ card: { schema: "2.0", body: { elements: [] } } }).toExtend<OutboundMessage>()
    expectTypeOf(built).toExtend<Parameters<ChannelService["updateCard"]>[1]>()
    expectTypeOf(built).toExtend<Parameters<typeof Outbound.updateCard>[1]>()
    // a card is an object, never a string
    expectTypeOf({ card: "{}" }).not.toExtend<OutboundMessage>()
  })

  it.live("send and updateCard deliver a built card as the interactive message's content", () =>
    withPlatform((fake) =>
      Effect.gen(function*() {
        const sent = yield* Outbound.send("oc_team", { card: built })
        const [create] = yield* fake.callsTo("POST", "/open-apis/im/v1/messages")
        const body = jsonBody(create!.body)
        assert.strictEqual(body["msg_type"], "interactive")
        assert.deepStrictEqual(JSON.parse(body["content"] as string), built)

        const shipped = Card.make({ header: "Shipped", config: { update_multi: true }, elements: [Card.markdown("**done**")] })
        yield* Outbound.updateCard(sent.messageId, shipped)
        const [edit] = yield* fake.channel.edits
        assert.deepStrictEqual([edit!.messageId, edit!.kind], [sent.messageId, "patch"])
        assert.deepStrictEqual(JSON.parse(edit!.content), shipped)
      })))
})
