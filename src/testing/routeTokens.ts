/**
 * Which access tokens each route of the fake Open Platform accepts: the `access_tokens` of the API catalog
 * (`lark-api-catalog`), written out here because the fake ships in the package and cannot read the catalog
 * at run time; `tests/testing/FakeOpenPlatform.strict.test.ts` checks this table against the catalog. It is not taken
 * from the SDK's generated operations: those are what the fake is there to check.
 */

export type TokenKind = "tenant" | "app" | "user"

const tenant = ["tenant"] as const
const tenantOrUser = ["tenant", "user"] as const

/**
 * By `METHOD path`, with the catalog's `:name` placeholders. None of these routes takes an app token; the
 * fake issues no user tokens, but the table says where the platform takes them.
 */
export const acceptedTokens = {
  "POST /open-apis/im/v1/messages": tenantOrUser,
  "POST /open-apis/im/v1/messages/:message_id/reply": tenantOrUser,
  "PUT /open-apis/im/v1/messages/:message_id": tenant,
  "PATCH /open-apis/im/v1/messages/:message_id": tenantOrUser,
  "DELETE /open-apis/im/v1/messages/:message_id": tenantOrUser,
  "POST /open-apis/im/v1/messages/:message_id/reactions": tenantOrUser,
  "GET /open-apis/im/v1/messages/:message_id/reactions": tenantOrUser,
  "DELETE /open-apis/im/v1/messages/:message_id/reactions/:reaction_id": tenantOrUser,
  "GET /open-apis/im/v1/messages/:message_id/resources/:file_key": tenant,
  "POST /open-apis/im/v1/images": tenant,
  "GET /open-apis/im/v1/images/:image_key": tenant,
  "POST /open-apis/im/v1/files": tenant,
  "GET /open-apis/im/v1/files/:file_key": tenant,
  "GET /open-apis/im/v1/chats/:chat_id": tenantOrUser,
  // Not in the catalog: the bot's own identity, so a tenant token, as far as we know.
  "GET /open-apis/bot/v3/info": tenant,
  "POST /open-apis/cardkit/v1/cards": tenant,
  "PUT /open-apis/cardkit/v1/cards/:card_id": tenant,
  "PATCH /open-apis/cardkit/v1/cards/:card_id/settings": tenant,
  "PUT /open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content": tenant,
  "GET /open-apis/contact/v3/users/find_by_department": tenantOrUser,
  "POST /open-apis/bitable/v1/apps": tenantOrUser,
  "POST /open-apis/bitable/v1/apps/:app_token/tables": tenantOrUser,
  "POST /open-apis/bitable/v1/apps/:app_token/tables/batch_create": tenantOrUser
} as const satisfies Readonly<Record<string, ReadonlyArray<TokenKind>>>

/** A route behind the token check, named `METHOD path` as in {@link acceptedTokens}. */
export type AuthedRoute = keyof typeof acceptedTokens
