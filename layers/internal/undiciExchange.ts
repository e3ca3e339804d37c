/**
 * The executor's lane on an undici dispatcher (`Exchange.withExchange`): one `dispatch` whose handler collects
 * the answer, without the response stream `undici.request` builds for every call.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Undici from "undici"
import * as Exchange from "../../src/Exchange.js"
import { callback, raceClock } from "../../src/internal/dialect.js"

/** undici checks its timeouts about once a second: shorter deadlines are raced against the `Clock` instead. */
const UNDICI_TIMER_RESOLUTION_MS = 1000

/** Whether undici itself keeps a deadline of `millis` precisely enough (2 s and more). */
export const undiciKeeps = (millis: number) => millis >= 2 * UNDICI_TIMER_RESOLUTION_MS

/** Collects one answer of at most `maxBytes` and reports it (or the failure) once. */
class Collector implements Undici.Dispatcher.DispatchHandler {
  private controller: Undici.Dispatcher.DispatchController | undefined
  /** Why the request was aborted before undici started it. */
  private abortedWith: Error | undefined
  private status = 0
  private headers: Exchange.Answer["headers"] = {}
  private readonly chunks: Array<Buffer> = []
  private received = 0

  constructor(
    private readonly outgoing: Exchange.Outgoing,
    private readonly maxBytes: number,
    private readonly resume: (effect: Effect.Effect<Exchange.Answer, Exchange.ExchangeError>) => void
  ) {}

  onRequestStart(controller: Undici.Dispatcher.DispatchController) {
    if (this.abortedWith !== undefined) controller.abort(this.abortedWith)
    else this.controller = controller
  }

  onResponseStart(controller: Undici.Dispatcher.DispatchController, statusCode: number, headers: Exchange.Answer["headers"]) {
    this.status = statusCode
    this.headers = headers
    // aborting fails the request through onResponseError, and closes the connection: the rest is never read
    if (Exchange.declaredTooLarge(headers["content-length"], this.maxBytes)) controller.abort(Exchange.answerTooLarge(this.maxBytes))
  }

  onResponseData(controller: Undici.Dispatcher.DispatchController, chunk: Buffer) {
    this.received += chunk.length
    if (this.received > this.maxBytes) controller.abort(Exchange.answerTooLarge(this.maxBytes))
    else this.chunks.push(chunk)
  }

  onResponseEnd() {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
    this.resume(Effect.succeed({
      status: this.status,
      headers: this.headers,
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    }))
  }

  onResponseError(_: Undici.Dispatcher.DispatchController, error: Error) {
    // the head had arrived when there is a status: the failure is in the body
    this.resume(Effect.fail(Exchange.failed(this.status === 0 ? "Send" : "Receive", this.outgoing, error)))
  }

  /** Aborts the request with `cause` now, or as soon as undici starts it. */
  abort(cause: Error) {
    this.abortedWith = cause
    this.controller?.abort(cause)
  }
}

/**
 * Sends through `dispatcher`, the body read whole. Deadlines of 2 s and more are kept here: undici's own
 * (to the head, then between body chunks: silence) and a timer for the whole attempt
 * (`Exchange.attemptTimer`); shorter ones are raced against the `Clock`.
 */
export const make = (dispatcher: Undici.Dispatcher): Exchange.Exchange => (outgoing, timeout, maxBytes) => {
  const millis = Duration.toMillis(timeout)
  const ownTimeout = undiciKeeps(millis) ? millis : undefined // undefined: undici's default
  const exchange = callback<Exchange.Answer, Exchange.ExchangeError>((resume) => {
    let deadline: ReturnType<typeof setTimeout> | undefined
    const collector = new Collector(outgoing, maxBytes, (answer) => {
      clearTimeout(deadline)
      resume(answer)
    })
    if (ownTimeout !== undefined) deadline = Exchange.attemptTimer(timeout, (cause) => collector.abort(cause))
    try {
      const url = new URL(outgoing.url)
      dispatcher.dispatch({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: outgoing.method,
        headers: outgoing.headers,
        body: outgoing.body,
        headersTimeout: ownTimeout,
        bodyTimeout: ownTimeout
      }, collector)
    } catch (cause) { // an invalid URL or option: nothing was sent
      clearTimeout(deadline)
      resume(Effect.fail(Exchange.failed("Encode", outgoing, cause)))
    }
    return Effect.sync(() => {
      clearTimeout(deadline)
      collector.abort(new Error("interrupted"))
    })
  })
  return ownTimeout !== undefined
    ? exchange
    : raceClock(exchange, timeout, () => Exchange.deadlinePassed(timeout))
}
