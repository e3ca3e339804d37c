/**
 * The generated schemas on realistic answers, decoded as the SDK decodes answers and events (`lenientDecoder`):
 * lenient (unknown fields kept, missing ones fine, new enum values accepted), int64 values kept as strings,
 * nested models decoded.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ImMessageReceiveV1 } from "../../schemas/events/im/v1.js"
import { P1AppTicket } from "../../schemas/events/p1.js"
import { FindByDepartmentUserResponse } from "../../schemas/contact/v3/user.js"
import { CreateMessageRequest, CreateMessageResponse } from "../../schemas/im/v1/message.js"
import { formatDecodeError, matchOutcome, type SchemaOf } from "../../src/internal/dialect.js"
import { lenientDecoder } from "../../src/internal/plainSchema.js"

/** The decoded value; throws (failing the test) with the decode error when it does not decode. */
const decode = <A>(schema: SchemaOf<A>, value: unknown): A =>
  matchOutcome(lenientDecoder(schema)(value), {
    onFailure: (error): never => {
      throw new Error(formatDecodeError(error))
    },
    onSuccess: (decoded) => decoded
  })

describe("generated schemas", () => {
  it("decode a message the platform created, keeping fields the catalog does not know", () => {
    const answer = {
      message_id: "om_dc13264520392913993dd051dba21dcf",
      root_id: "",
      msg_type: "text",
      create_time: "1615380573411",
      update_time: "1615380573411",
      deleted: false,
      updated: false,
      chat_id: "oc_5ad11d72b830411d72b836c20",
      sender: { id: "cli_9f5343c580712544", id_type: "app_id", sender_type: "app", tenant_key: "2ca1d211f64f6438" },
      body: { content: "{\"text\":\"test content\"}" },
      brand_new_field: { nested: [1, 2] }
    }
    const message = decode(CreateMessageResponse, answer)
    assert.strictEqual(message.create_time, "1615380573411")
    assert.strictEqual(message.sender?.sender_type, "app")
    assert.deepStrictEqual((message as Record<string, unknown>).brand_new_field, { nested: [1, 2] })
  })

  it("decode a page of department users, with a new enum value and missing fields", () => {
    const page = {
      has_more: true,
      page_token: "AQD9/Rn9eij9Pm39ED40/dk53s4Ebp882DYfFaPFbz00L4CMZJrqGdzNyc8BcZtDbwVUvRmQTvyMYicnGWrde9X56TgdBuS+JDTJJDDPw/Mzjc=",
      items: [
        { union_id: "on_94a1ee5551019f18cd73d9f111898cf2", user_id: "3e3cf96b", open_id: "ou_7dab8a3d3cdcc9da365777c7ad535d62", name: "张三", status: { is_frozen: false, is_activated: true }, gender: 3 },
        { open_id: "ou_2", name: "Li" }
      ]
    }
    const decoded = decode(FindByDepartmentUserResponse, page)
    assert.strictEqual(decoded.items?.length, 2)
    assert.strictEqual(decoded.items?.[0]?.name, "张三")
    assert.strictEqual(decoded.items?.[0]?.status?.is_activated, true)
  })

  it("decode the im.message.receive_v1 payload", () => {
    const event = {
      sender: { sender_id: { union_id: "on_1", user_id: "u_1", open_id: "ou_1" }, sender_type: "user", tenant_key: "736588c9260f175e" },
      message: {
        message_id: "om_5ce6d572455d361153b7cb51da133945",
        create_time: "1609073151345",
        chat_id: "oc_5ce6d572455d361153b7xx51da133945",
        chat_type: "group",
        message_type: "text",
        content: "{\"text\":\"@_user_1 hello\"}",
        mentions: [{ key: "@_user_1", id: { open_id: "ou_bot" }, name: "bot", tenant_key: "736588c9260f175e" }]
      }
    }
    const decoded = decode(ImMessageReceiveV1, event)
    assert.strictEqual(decoded.message?.mentions?.[0]?.id?.open_id, "ou_bot")
    assert.strictEqual(decoded.sender?.sender_id?.open_id, "ou_1")
  })

  it("decode the legacy app_ticket event", () => {
    const decoded = decode(P1AppTicket, { app_id: "cli_1", app_ticket: "ticket", type: "app_ticket" })
    assert.strictEqual(decoded.app_ticket, "ticket")
  })

  it("requests are strict where the catalog is: enums and required fields", () => {
    const bad = Schema.encodeOption(CreateMessageRequest)({ params: { receive_id_type: "group" as "chat_id" }, data: { receive_id: "x", msg_type: "text", content: "{}" } })
    assert.isTrue(Option.isNone(bad))
    const missing = Schema.encodeOption(CreateMessageRequest)({ params: { receive_id_type: "chat_id" }, data: { receive_id: "x" } as never })
    assert.isTrue(Option.isNone(missing))
  })
})
