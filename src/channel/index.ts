/**
 * The channel: `Channel` (the bot service: connect, inbound events and handlers, outbound methods), the
 * transport-independent core (event types, normalization, the admission policy, the safety checks,
 * outbound content builders, chunking, id-type inference and send errors) and the outbound side
 * (`Outbound`: send, reply, uploads, stream replies, edits, reactions, downloads).
 */
export * from "./admission.js"
export {
  type AckMode,
  type BotIdentity,
  Channel,
  type ChannelHandler,
  ChannelNotReady,
  type ChannelOptions,
  type ChannelService
} from "./Channel.js"
export * from "./ChannelEvent.js"
export * as ChatQueue from "./ChatQueue.js"
export * from "./botLoop.js"
export * from "./chunk.js"
export * as Content from "./content.js"
export * from "./errors.js"
export * from "./flatten.js"
export * from "./idType.js"
export * from "./media.js"
export * as MediaFetch from "./mediaFetch.js"
export * from "./mergeForward.js"
export type * from "./Message.js"
export * from "./normalize.js"
export * as Outbound from "./Outbound.js"
export * from "./policy.js"
export * from "./safety.js"
export * from "./ssrf.js"
export * as Batching from "./batching.js"
export type { SecurityConfig, SecurityMode } from "./security.js"
export type { AuditEvent, AuditReason, AuditRecorder } from "./audit.js"
export type { ReactionNotifications } from "./reactions.js"
