/**
 * The long connection: events and callbacks over the platform's WebSocket, dispatched through the same
 * `EventDispatcher` (and dedupe) as the webhook path. Node wiring of the socket: `lark-effect/layers/ws`.
 */
export {
  type Options,
  type Requirements,
  type State,
  makeState,
  run
} from "./LongConnection.js"
export { type ClientConfig, defaultClientConfig } from "./endpoint.js"
export * from "./errors.js"
export { type CloseInfo, type Connection, type Service as WebSocketFactoryService, WebSocketFactory } from "./socket.js"
export * as Frame from "./frame.js"
