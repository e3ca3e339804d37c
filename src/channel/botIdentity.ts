/**
 * Who the bot is: `GET /open-apis/bot/v3/info` (tenant token). The channel needs the bot's open id before
 * the first event arrives: it decides `mentionedBot`, which mention `bodyText` drops, and which messages
 * are the bot's own (`self_sent`).
 *
 * The API answers flat, like the token endpoints: `{ code, msg, bot: { open_id, app_name, ... } }`, with
 * no `data` member. There is no generated function for it (the catalog has no `bot/v3`).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { LarkConfig } from "../LarkConfig.js"
import { LarkDecodeError, type LarkError } from "../LarkError.js"
import type { Operation } from "../Operation.js"
import { execute } from "../Request.js"

export interface BotIdentity {
  readonly openId: string
  /** The app's name as users see it. */
  readonly name: string | undefined
  readonly avatarUrl: string | undefined
  /** The platform's activation status (2: activated). */
  readonly activateStatus: number | undefined
}

const BotInfoAnswer = Schema.Struct({
  bot: Schema.optional(Schema.Struct({
    open_id: Schema.optional(Schema.String),
    app_name: Schema.optional(Schema.String),
    avatar_url: Schema.optional(Schema.String),
    activate_status: Schema.optional(Schema.Number)
  }))
})

const operation: Operation<{}, typeof BotInfoAnswer.Type> = {
  id: "bot.v3.info",
  method: "GET",
  path: "/open-apis/bot/v3/info",
  tokens: ["tenant"],
  result: "flat",
  response: BotInfoAnswer
}

/** The bot's identity; an answer without an open id is a `LarkDecodeError` (the channel cannot work without it). */
export const fetchBotIdentity: Effect.Effect<BotIdentity, LarkError, LarkConfig | HttpClient.HttpClient> = Effect.flatMap(
  execute(operation, {}),
  ({ bot }) =>
    bot?.open_id
      ? Effect.succeed({ openId: bot.open_id, name: bot.app_name, avatarUrl: bot.avatar_url, activateStatus: bot.activate_status })
      : Effect.fail(
        new LarkDecodeError({ operation: operation.id, detail: "the answer has no bot.open_id", httpStatus: 200, body: "" })
      )
)
