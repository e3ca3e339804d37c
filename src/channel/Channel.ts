/**
 * `Channel`: the high-level bot. It receives normalized channel events (over the long connection, or a
 * webhook route the app mounts), screens them (dedupe, staleness, admission policy), keeps each chat in
 * order, and hands them to handlers (`channel.on`) and to a `Stream` (`channel.events`); and it sends,
 * replies and streams answers with the channel's outbound options.
 *
 * ```ts
 * const bot = Effect.gen(function*() {
 *   const channel = yield* Channel
 *   yield* channel.on("Message", (message) => channel.reply(message, { text: `echo: ${message.bodyText}` }))
 *   yield* channel.connect
 *   yield* Effect.never
 * })
 * bot.pipe(Effect.provide(Channel.layer()), Effect.provide(Layer.merge(LarkLive, WsLayer.layer)))
 * ```
 *
 * Life cycle: `make` checks the options (a `ChannelConfigError` before any request), fetches the bot's
 * identity (`bot/v3/info`) and builds the pipeline; nothing is received before `connect`, so handlers
 * registered in between miss nothing. `connect` starts the
 * transport and waits for the first handshake (`readyTimeout`); a failed first connect is retried like
 * any later drop (neither is with `longConnection.autoReconnect: false`). Closing the scope closes the socket and interrupts every fiber of the channel: queue
 * workers, handlers, stream publishers.
 *
 * The inbound pipeline and the acknowledgement choice are described in `inbound.ts`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { Card } from "../cards/model.js"
import type { CardJson } from "../events/callbacks.js"
import type { Secret } from "../events/crypto.js"
import { EventDedupe, unsafeMakeMemory } from "../events/Dedupe.js"
import { makeEntry, type Request, type Response } from "../events/handle.js"
import type { DownloadedFile } from "../Files.js"
import { withDefaults } from "../internal/defaults.js"
import { LarkConfig } from "../LarkConfig.js"
import {
  catchAll,
  catchAllCause,
  changesOf,
  decodeDuration,
  type DurationInput,
  fromOutcome,
  locally,
  makeLatch,
  raceClock,
  scopedLayer,
  Service,
  subscribe
} from "../internal/dialect.js"
import { provider } from "../internal/provider.js"
import type { LarkError } from "../LarkError.js"
import * as LongConnection from "../ws/LongConnection.js"
import { WebSocketFactory } from "../ws/socket.js"
import { makeAdmission } from "./admission.js"
import * as Batching from "./batching.js"
import { auditLongConnection, auditSockets, auditWebhook } from "./audit.js"
import { type BotIdentity, fetchBotIdentity } from "./botIdentity.js"
import * as BusyMerge from "./busyMerge.js"
import { type BotLoopGuardConfig, botLoopGuardProblem, defaultBotLoopGuard } from "./botLoop.js"
import { ChannelEvent, type ChannelEventTag, type ErrorSource } from "./ChannelEvent.js"
import * as ChatQueue from "./ChatQueue.js"
import type { ChunkMode } from "./chunk.js"
import { ChannelNotReady, watch } from "./connection.js"
import { reportingFailures } from "./dedupeFailures.js"
import type { MarkdownConverter, MarkdownStyle } from "./content.js"
import { ChannelConfigError, type ChannelSendError } from "./errors.js"
import * as Handlers from "./handlers.js"
import { type AckMode, delivery, dispatcher as inboundDispatcher, enqueue } from "./inbound.js"
import * as Manage from "./manage.js"
import type { Message, Resource } from "./Message.js"
import type { OutboundMessage } from "./OutboundMessage.js"
import { makePolicy, type PolicyConfig, policyProblem, policyWarnings } from "./policy.js"
import { makeReactionFilter, type ReactionNotifications } from "./reactions.js"
import { harden, type SecurityConfig, type SecurityMode, strictDefaults } from "./security.js"
import type { OutboundRetry } from "./retry.js"
import { reply, type ReplyOptions, send, type SendOptions, type SendResult } from "./send.js"
import { streamCardReply, type StreamCardsOptions, type StreamCardsResult } from "./streamCard.js"
import { failedWriteReport } from "./streaming.js"
import { type StreamCardOptions, streamReply, type StreamReplyResult } from "./streamReply.js"

export { type AckMode } from "./inbound.js"
export { type BotIdentity } from "./botIdentity.js"
export { ChannelNotReady } from "./connection.js"
export { ChannelConfigError } from "./errors.js"
export { type BatchingConfig } from "./batching.js"
export { type SecurityConfig, type SecurityMode } from "./security.js"
export { type AuditEvent, type AuditReason, type AuditRecorder } from "./audit.js"
export { type ReactionNotifications } from "./reactions.js"
export { type ChatMode } from "./manage.js"
export type { EventOf, Handler as ChannelHandler, HandlerRequirements, ResultOf } from "./handlers.js"

export interface ChannelOptions {
  /** `ws` (the default): the long connection, no public URL needed. `webhook`: mount `channel.webhook` on a route. */
  readonly transport?: "ws" | "webhook" | undefined
  /** Admission rules; anything left out keeps its default (`defaultPolicy`). Change them later with `updatePolicy`. */
  readonly policy?: Partial<PolicyConfig> | undefined
  /** Holds back bots that keep mentioning this bot (`true`: the defaults). Off by default. */
  readonly botLoopGuard?: boolean | Partial<BotLoopGuardConfig> | undefined
  /** Messages older than this are dropped as `stale` (default 30 minutes). */
  readonly maxAge?: DurationInput | undefined
  /** Messages handled at once over all chats; one chat is always handled in order (default 16). */
  readonly concurrency?: number | undefined
  /**
   * Merge quick bursts of text messages from one sender into one `Message` (`true`: 600 ms debounce,
   * 2 s after a long message, at most 8 messages / 4,000 characters; see `batching.ts`). Off by default.
   */
  readonly batching?: boolean | Partial<Batching.BatchingConfig> | undefined
  /**
   * Texts from one sender that arrive while their chat is busy reach the handler as one `Message` when it
   * is free (`busyMerge.ts`). Off by default, as in the Node channel (the Python channel's is on).
   */
  readonly mergeWhileBusy?: boolean | undefined
  /**
   * Transport hardening: `"strict"` requires signed webhooks (an `encryptKey`), turns the replay window on,
   * refuses remote `ws://` and caps fragments and handler concurrency (see `security.ts`); `"audit"` allows
   * all that but records it (`audit.ts`). Default `"compat"`.
   */
  readonly security?: SecurityMode | SecurityConfig | undefined
  /**
   * Which `Reaction` events are delivered: `all` (the default), `own` (only reactions on the bot's own
   * messages; the message's sender is looked up once) or `off`.
   */
  readonly reactions?: ReactionNotifications | undefined
  /** When the platform is answered: once the handlers finished (`handled`, the default) or once queued. */
  readonly ack?: AckMode | undefined
  /**
   * With `ack: "queued"`: messages waiting or running in the chat queues, at most (default 10,000). One more
   * is not queued but answered as failed, so the platform redelivers it later (15 s, 5 min, 1 h, 6 h).
   */
  readonly maxQueued?: number | undefined
  /** Keep the platform's payload on `Message.raw` / `CardAction.raw`. */
  readonly includeRaw?: boolean | undefined
  /** Characters per text or markdown message sent (default 3,500). */
  readonly chunkLimit?: number | undefined
  readonly chunkMode?: ChunkMode | undefined
  /** How a bare string (markdown) is sent: a post (default) or a card. */
  readonly markdownStyle?: MarkdownStyle | undefined
  /** Turns markdown sent as a post into the post, instead of one `md` node; it gets each chunk (`content.ts`). */
  readonly markdownConverter?: MarkdownConverter | undefined
  /** Hosts whose `http(s)` media URLs may be fetched (none by default: no SSRF). */
  readonly ssrfAllowlist?: ReadonlyArray<string> | undefined
  /** Directories media given as a local path may be read from (unset: any; `[]`: none; see `readMedia.ts`). */
  readonly allowedFileDirs?: ReadonlyArray<string> | undefined
  /** Retries of the calls of a send (default 3 attempts, 500 ms base; see `retry.ts`). */
  readonly outboundRetry?: OutboundRetry | undefined
  readonly maxMediaBytes?: number | undefined
  /** How long `connect` (and `awaitReady()`) waits for the first handshake (default 30 seconds). */
  readonly readyTimeout?: DurationInput | undefined
  /** Events buffered for slow `events` subscribers before publishing waits (default 1,024). */
  readonly eventBuffer?: number | undefined
  /** Webhook secrets (`channel.webhook`). */
  readonly encryptKey?: Secret | undefined
  readonly verificationToken?: Secret | undefined
  readonly maxClockSkew?: DurationInput | undefined
  /**
   * The largest webhook body `channel.webhook` accepts, in bytes (default 1 MiB; 413 beyond). Give the
   * adapter that reads the body (`eventListener`, `EventHttp.fromHandler`) the same limit.
   */
  readonly maxBodySize?: number | undefined
  /** Long-connection settings. `concurrency` (messages awaiting their ack) defaults to 512 here. */
  readonly longConnection?: Omit<LongConnection.Options, "state"> | undefined
}

type Requirements = LarkConfig | HttpClient.HttpClient

export interface ChannelService {
  readonly transport: "ws" | "webhook"
  /** Who the bot is (fetched when the channel was made). */
  readonly botIdentity: BotIdentity
  /** Starts receiving (once; later calls only wait) and waits for the first handshake, up to `readyTimeout`. */
  readonly connect: Effect.Effect<void, ChannelNotReady>
  /** Waits for the first handshake (webhook: at once after `connect`). */
  readonly awaitReady: (timeout?: DurationInput) => Effect.Effect<void, ChannelNotReady>
  readonly status: Effect.Effect<LongConnection.State>
  /** The current state, then every change. */
  readonly statusChanges: Stream.Stream<LongConnection.State>
  /** Every channel event from the moment the stream is run; ends when the channel closes. */
  readonly events: Stream.Stream<ChannelEvent>
  /** Like `events`, but subscribed as soon as this effect runs (in the caller's scope): nothing is missed in between. */
  readonly subscribe: Effect.Effect<Stream.Stream<ChannelEvent>, never, Scope.Scope>
  /** Registers a handler for one event tag; answers the effect that unregisters it. */
  readonly on: <T extends ChannelEventTag>(tag: T, handler: Handlers.Handler<T>) => Effect.Effect<Effect.Effect<void>>
  /** The webhook entry point (`handle`) over the channel's pipeline: mount it on the app's route. */
  readonly webhook: (request: Request) => Effect.Effect<Response>
  readonly policy: Effect.Effect<PolicyConfig>
  /**
   * Changes the admission rules for the next message: the settings given (one given as `undefined` is left as
   * it is), or `f`'s policy. A policy that cannot be used (`policyProblem`) fails and changes nothing.
   */
  readonly updatePolicy: (
    change: Partial<PolicyConfig> | ((current: PolicyConfig) => PolicyConfig)
  ) => Effect.Effect<void, ChannelConfigError>
  readonly send: (to: string, message: OutboundMessage, options?: SendOptions) => Effect.Effect<SendResult, ChannelSendError>
  readonly reply: (
    message: Pick<Message, "messageId" | "chatId" | "threadId">,
    content: OutboundMessage,
    options?: ReplyOptions
  ) => Effect.Effect<SendResult, ChannelSendError>
  readonly streamReply: <E, R>(
    message: Pick<Message, "messageId" | "chatId" | "threadId">,
    text: Stream.Stream<string, E, R>,
    options?: StreamCardOptions & ReplyOptions
  ) => Effect.Effect<StreamReplyResult, ChannelSendError | E, Exclude<R, Requirements>>
  /** Replies with one card that each card of `cards` replaces (throttled; `streamCard.ts`). */
  readonly streamCardReply: <E, R>(
    message: Pick<Message, "messageId" | "chatId" | "threadId">,
    cards: Stream.Stream<Card, E, R>,
    options?: StreamCardsOptions & ReplyOptions
  ) => Effect.Effect<StreamCardsResult, ChannelSendError | E, Exclude<R, Requirements>>
  readonly editMessage: (messageId: string, message: Manage.EditableMessage) => Effect.Effect<void, ChannelSendError>
  readonly recallMessage: (messageId: string) => Effect.Effect<void, ChannelSendError>
  readonly addReaction: (messageId: string, emojiType: string) => Effect.Effect<string, ChannelSendError>
  readonly removeReaction: (messageId: string, reactionId: string) => Effect.Effect<void, ChannelSendError>
  /** Removes the bot's own reactions of `emojiType` from a message; answers how many. */
  readonly removeReactionByEmoji: (messageId: string, emojiType: string) => Effect.Effect<number, ChannelSendError>
  readonly updateCard: (messageId: string, card: CardJson) => Effect.Effect<void, ChannelSendError>
  readonly downloadResource: (
    resource: Pick<Resource, "messageId" | "key" | "downloadType">
  ) => Effect.Effect<DownloadedFile, ChannelSendError>
  readonly getChatInfo: (chatId: string) => Effect.Effect<Manage.ChatInfo, ChannelSendError>
  /** `topic`, `group` or `p2p`, from the chat API. */
  readonly getChatMode: (chatId: string) => Effect.Effect<Manage.ChatMode, ChannelSendError>
}

const DEFAULT_READY_TIMEOUT = Duration.seconds(30)
// Dedupe keys live 12 hours (spec B8), longer than the platform's ~7.1 h of redeliveries.
const DEDUPE_TTL = Duration.hours(12)

const batchingOf = (option: ChannelOptions["batching"]): Batching.BatchingConfig | undefined =>
  option === undefined || option === false ? undefined : option === true ? Batching.defaultBatching : withDefaults(Batching.defaultBatching, option)

/** Long-connection messages awaiting their ack at once, unless the options say otherwise. */
const DEFAULT_WS_CONCURRENCY = 512

/** With `ack: "queued"`, messages the chat queues hold at most, unless the options say otherwise. */
const DEFAULT_MAX_QUEUED = 10_000

const guardOf = (option: ChannelOptions["botLoopGuard"]): BotLoopGuardConfig | undefined =>
  option === undefined || option === false ? undefined : option === true ? defaultBotLoopGuard : withDefaults(defaultBotLoopGuard, option)

const makeChannel = (
  options: ChannelOptions
): Effect.Effect<ChannelService, LarkError | ChannelConfigError, Requirements | WebSocketFactory | Scope.Scope> =>
  Effect.gen(function*() {
    const transport = options.transport ?? "ws"
    // checked before anything is requested or connected
    const hardened = yield* fromOutcome(harden({ ...options, transport }, DEFAULT_WS_CONCURRENCY))
    const audit = hardened.audit
    if (audit !== undefined) yield* Effect.forEach(audit.found, audit.record, { discard: true })
    const batching = batchingOf(options.batching)
    const policy = makePolicy(options.policy)
    const botLoopGuard = guardOf(options.botLoopGuard)
    const problem = (batching === undefined ? undefined : Batching.batchingProblem(batching)) ??
      (botLoopGuard === undefined ? undefined : botLoopGuardProblem(botLoopGuard)) ?? policyProblem(policy)
    if (problem !== undefined) return yield* Effect.fail(new ChannelConfigError({ detail: problem }))
    // What the channel was made with (config, HTTP client, and e.g. a FileSystem for media paths), for the
    // outbound methods and the handlers; not the channel's own Scope, which callers must not inherit.
    const context: Context.Context<Requirements> = Context.omit(Scope.Scope)(yield* Effect.context<Requirements | Scope.Scope>())
    const provide = provider(context)
    const scope = yield* Effect.scope
    const botIdentity = yield* fetchBotIdentity

    for (const warning of policyWarnings(policy)) yield* Effect.logWarning(`lark channel: ${warning}`)
    const admission = yield* makeAdmission({
      policy,
      botOpenId: botIdentity.openId,
      maxAge: options.maxAge,
      botLoopGuard
    })
    const pubsub = yield* Effect.acquireRelease(PubSub.bounded<ChannelEvent>(options.eventBuffer ?? 1024), PubSub.shutdown)
    const handlers = yield* Handlers.make(pubsub, context)
    const emit = (event: ChannelEvent) =>
      catchAllCause((cause) => Effect.logWarning(`lark channel: a ${event._tag} handler failed`, cause))(handlers.deliver(event))
    const reportError = (source: ErrorSource) => (cause: Cause.Cause<unknown>) => emit(ChannelEvent.Error({ source, cause }))
    const dedupe = reportingFailures(
      Option.getOrElse(yield* Effect.serviceOption(EventDedupe), () => unsafeMakeMemory({ ttl: DEDUPE_TTL })),
      (error) => reportError("dedupe")(Cause.fail(error))
    )
    const queue = yield* ChatQueue.make<string, Requirements>({ concurrency: options.concurrency })
    const started = yield* makeLatch(false)
    let isStarted = false
    const openStarted = Effect.andThen(started.open, Effect.sync(() => void (isStarted = true)))
    const ack = options.ack ?? "handled"
    const merger = options.mergeWhileBusy === true
      ? BusyMerge.make(batching ?? Batching.defaultBatching, queue.offer, (message) =>
        delivery({ ack, handlers }, ChannelEvent.Message(message)))
      : undefined
    const batcher = batching === undefined
      ? undefined
      : yield* Batching.make(batching, merger ?? ((message, done) => enqueue({ ack, handlers, queue }, ChannelEvent.Message(message), done)))
    const { appId } = yield* LarkConfig
    const dispatcher = inboundDispatcher({
      appId,
      botOpenId: botIdentity.openId,
      includeRaw: options.includeRaw === true,
      ack,
      admission,
      queue,
      maxQueued: Math.max(1, options.maxQueued ?? DEFAULT_MAX_QUEUED),
      dedupe,
      handlers,
      started: { isOpen: () => isStarted, await: started.await },
      batcher,
      merger,
      reactions: options.reactions === undefined || options.reactions === "all"
        ? undefined
        : makeReactionFilter(
          options.reactions,
          appId,
          (messageId) => provide(Manage.getMessageSender(messageId)),
          (error) => reportError("reactions")(Cause.fail(error))
        )
    }, {
      encryptKey: options.encryptKey,
      verificationToken: options.verificationToken,
      maxClockSkew: hardened.maxClockSkew,
      maxBodySize: options.maxBodySize
    })

    const state = yield* LongConnection.makeState
    const { ready } = yield* watch(state, emit)

    const runSocket = (sockets: (typeof WebSocketFactory)["Service"]): Effect.Effect<void> =>
      LongConnection.runWatched(
        dispatcher,
        { ...hardened.longConnection, state },
        audit === undefined ? undefined : auditLongConnection(audit.record, audit.watched)
      ).pipe(
        // inside `context`, which holds the factory the channel was made with
        Effect.provideService(WebSocketFactory, audit === undefined ? sockets : auditSockets(sockets, audit.record)),
        Effect.provide(context),
        Effect.provideService(EventDedupe, dedupe),
        // `run` has set the state to Closed with this error; `awaitReady` reports it
        catchAll((error) =>
          Effect.andThen(
            Effect.logError("lark channel: the connection ended", error),
            reportError("connection")(Cause.fail(error))
          )),
        Effect.forkIn(scope),
        Effect.asVoid
      )
    // the socket factory is read here, not in `connect`: a webhook channel never asks for one
    const start: Effect.Effect<void> = transport === "webhook"
      ? SubscriptionRef.set(state, { _tag: "Connected", attempt: 0, connectionId: undefined })
      : runSocket(yield* WebSocketFactory)

    const readyTimeout = options.readyTimeout ?? DEFAULT_READY_TIMEOUT
    const awaitReady = (timeout: DurationInput = readyTimeout) => {
      const duration = decodeDuration(timeout)
      return raceClock(
        Effect.mapError(Deferred.await(ready), (cause) => new ChannelNotReady({ reason: "closed", detail: cause.message, cause })),
        duration,
        () => new ChannelNotReady({ reason: "timeout", detail: `no connection within ${Duration.format(duration)}` })
      )
    }

    const connectCalled = yield* Ref.make(false)
    const connect = Effect.andThen(
      Effect.flatMap(Ref.getAndSet(connectCalled, true), (already) => (already ? Effect.void : Effect.andThen(openStarted, start))),
      awaitReady()
    )

    // the channel's dedupe store, whatever the context of the request's fiber holds
    const handleWebhook = makeEntry(dispatcher, undefined, dedupe)
    // audit mode without a replay window of its own: record what strict's window would refuse
    const auditRequest = audit !== undefined && hardened.maxClockSkew === undefined
      ? auditWebhook(audit.record, strictDefaults.maxClockSkew)
      : undefined
    /** The channel's outbound defaults under the call's own options. */
    const outbound = <O extends SendOptions>(extra: O | undefined): O => ({
      chunkLimit: options.chunkLimit,
      chunkMode: options.chunkMode,
      markdownConverter: options.markdownConverter,
      mediaAllowlist: options.ssrfAllowlist,
      allowedFileDirs: options.allowedFileDirs,
      retry: options.outboundRetry,
      maxMediaBytes: options.maxMediaBytes,
      ...extra
    } as O)
    const styled = (message: OutboundMessage): OutboundMessage =>
      typeof message === "string" && options.markdownStyle === "card" ? { markdown: message, style: "card" } : message
    const bound = <A, E>(effect: Effect.Effect<A, E, Requirements>) => provide(effect)
    /** A stream call: bound, its failed writes published as `Error` events. */
    const streaming = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      provide(locally(effect, failedWriteReport, reportError("stream")))

    return {
      transport,
      botIdentity,
      connect,
      awaitReady,
      status: SubscriptionRef.get(state),
      statusChanges: changesOf(state),
      events: Stream.fromPubSub(pubsub),
      subscribe: subscribe(pubsub),
      on: handlers.on,
      webhook: (request) => {
        const handled = handleWebhook(request)
        // only what was accepted: a refused request is refused in strict mode too
        return auditRequest === undefined ? handled : Effect.tap(handled, (response) => (response.status < 400 ? auditRequest(request) : Effect.void))
      },
      policy: admission.policy,
      updatePolicy: (change) => admission.updatePolicy(typeof change === "function" ? change : (current) => withDefaults(current, change)),
      send: (to, message, sendOptions) => bound(send(to, styled(message), outbound(sendOptions))),
      reply: (message, content, replyOptions) => bound(reply(message, styled(content), outbound(replyOptions))),
      streamReply: (message, text, streamOptions) => streaming(streamReply(message, text, outbound(streamOptions))),
      streamCardReply: (message, cards, streamOptions) => streaming(streamCardReply(message, cards, outbound(streamOptions))),
      editMessage: (messageId, message) => bound(Manage.editMessage(messageId, message)),
      recallMessage: (messageId) => bound(Manage.recallMessage(messageId)),
      addReaction: (messageId, emojiType) => bound(Manage.addReaction(messageId, emojiType)),
      removeReaction: (messageId, reactionId) => bound(Manage.removeReaction(messageId, reactionId)),
      removeReactionByEmoji: (messageId, emojiType) => bound(Manage.removeReactionByEmoji(messageId, emojiType)),
      updateCard: (messageId, card) => bound(Manage.updateCard(messageId, card)),
      downloadResource: (resource) => bound(Manage.downloadResource(resource)),
      getChatInfo: (chatId) => bound(Manage.getChatInfo(chatId)),
      getChatMode: (chatId) => bound(Manage.getChatMode(chatId))
    } satisfies ChannelService
  })

/** Makes a channel for the scope (see the module comment). A webhook channel needs no `WebSocketFactory`. */
export function make(
  options: ChannelOptions & { readonly transport: "webhook" }
): Effect.Effect<ChannelService, LarkError | ChannelConfigError, Requirements | Scope.Scope>
export function make(
  options?: ChannelOptions
): Effect.Effect<ChannelService, LarkError | ChannelConfigError, Requirements | WebSocketFactory | Scope.Scope>
export function make(options: ChannelOptions = {}) {
  return makeChannel(options)
}

/** The channel as a layer (build it once: each build is one connection). */
export function layer(
  options: ChannelOptions & { readonly transport: "webhook" }
): Layer.Layer<Channel, LarkError | ChannelConfigError, Requirements>
export function layer(options?: ChannelOptions): Layer.Layer<Channel, LarkError | ChannelConfigError, Requirements | WebSocketFactory>
export function layer(options: ChannelOptions = {}) {
  return scopedLayer(Channel, makeChannel(options))
}

export class Channel extends Service<Channel, ChannelService>()("lark-effect/Channel") {
  static readonly make = make
  static readonly layer = layer
}
