/**
 * The outbound side of the channel: everything a bot sends or does to messages, as Effects that need
 * only `LarkConfig | HttpClient` (like every API call). The inbound side (connect, events) is separate,
 * so these work in any program, with or without a connection.
 *
 * - `send`, `reply` (`send.ts`): any {@link OutboundMessage}, with id-type inference, uploads, chunking
 *   and the fallbacks of spec B5.
 * - `streamReply`, `streamSend` (`streamReply.ts`): a `Stream<string>` shown growing in a CardKit card (more
 *   cards for an answer over 30,000 characters).
 * - `streamCardReply`, `streamCardSend` (`streamCard.ts`): a `Stream` of built cards shown in one CardKit card.
 * - `editMessage`, `recallMessage`, `addReaction`, `removeReaction`, `removeReactionByEmoji`, `updateCard`, `downloadResource`,
 *   `downloadResourceStream`, `getChatInfo` (`manage.ts`).
 * - `uploadImage`, `uploadFile` (`upload.ts`): media to a key, on their own.
 */
export { compose, type ComposeOptions, type Piece } from "./compose.js"
export * from "./manage.js"
export type { MediaInput, OutboundMessage } from "./OutboundMessage.js"
export { DEFAULT_MAX_MEDIA_BYTES, type MediaReadOptions } from "./readMedia.js"
export type { OutboundRetry } from "./retry.js"
export * from "./send.js"
export * from "./streamReply.js"
export * from "./streamCard.js"
export { type FileUpload, uploadFile, uploadImage } from "./upload.js"
