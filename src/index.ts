/**
 * lark-effect: the core (config, errors, the request executor, tokens, pagination, files, the transport's
 * exchange and attempt timeout), webhook events and card callbacks, the long connection and app registration.
 * The generated API surface lives in per-service subpaths (`lark-effect/im`, ...) and is never imported here;
 * so the `Channel`, which sends through it, is `lark-effect/channel`.
 */
export * as AttemptTimeout from "./AttemptTimeout.js"
export * as Domain from "./Domain.js"
export * as Exchange from "./Exchange.js"
export * as Files from "./Files.js"
export * as LarkConfig from "./LarkConfig.js"
export * from "./LarkError.js"
export type { AccessTokenKind, CallOptions, HttpMethod, Operation, Payload } from "./Operation.js"
export * as Pagination from "./Pagination.js"
export { execute, executeStream, request, type RawRequest } from "./Request.js"
export * as TokenCache from "./TokenCache.js"
export * as Tokens from "./Tokens.js"
export * as UserAccessToken from "./UserAccessToken.js"
export * as UserTokens from "./UserTokens.js"
export * as EventCrypto from "./events/crypto.js"
export * as EventDedupe from "./events/Dedupe.js"
export * as EventDispatcher from "./events/EventDispatcher.js"
export * from "./events/errors.js"
export { handle as handleEvent, type Request as EventRequest, type Response as EventResponse } from "./events/handle.js"
export { nodeListener as eventListener } from "./events/nodeListener.js"
export * as EventCallbacks from "./events/callbacks.js"
export { CardResponse } from "./events/callbacks.js"
export { handleCardAction } from "./events/cardAction.js"
export * as EventHttp from "./events/httpApp.js"
export * as Registration from "./registration/index.js"
export * as LongConnection from "./ws/index.js"
