/**
 * The WebSocket the long connection runs on, as a small service so the runtime picks the implementation:
 * `lark-effect/layers/ws` (`layers/ws.ts`) provides one built on the `ws` package, which can read the
 * `Handshake-*` headers of a refused upgrade (the WHATWG `WebSocket` cannot).
 */
import type * as Effect from "effect/Effect"
import type * as Queue from "effect/Queue"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Service } from "../internal/dialect.js"
import type { LongConnectionHandshakeError, LongConnectionTransportError } from "./errors.js"

export interface CloseInfo {
  readonly code: number
  readonly reason: string
}

/** One open socket. */
export interface Connection {
  /** Sends one binary message. Best effort: a socket that went away shows up in `closed`. */
  readonly send: (bytes: Uint8Array) => Effect.Effect<void>
  /** Inbound binary messages in arrival order (text messages are not part of the protocol and are dropped). */
  readonly messages: Queue.Dequeue<Uint8Array>
  /** Succeeds when the socket has closed, for whatever reason. */
  readonly closed: Effect.Effect<CloseInfo>
}

export interface Service {
  /**
   * Opens a socket to `url` for the lifetime of the scope: closing the scope closes the socket. Fails with
   * a `LongConnectionHandshakeError` when the server refuses the upgrade, a `LongConnectionTransportError`
   * (stage `open`) when it cannot be reached.
   */
  readonly open: (
    url: Redacted.Redacted<string>
  ) => Effect.Effect<Connection, LongConnectionHandshakeError | LongConnectionTransportError, Scope.Scope>
}

export class WebSocketFactory extends Service<WebSocketFactory, Service>()("lark-effect/LongConnection/WebSocketFactory") {}
