/**
 * An undici dispatcher that sends each request direct or through its proxy, as `Proxy.Routes` say: undici's
 * `ProxyAgent` tunnels `https:` targets with CONNECT and sends `http:` ones to the proxy with their absolute
 * URL, with the `Proxy-Authorization` of the proxy's URL.
 */
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Undici from "undici"
import type * as Proxy from "./proxy.js"

const proxyAgent = (proxy: Proxy.Proxy): Undici.Dispatcher =>
  new Undici.ProxyAgent({
    uri: proxy.origin.href,
    proxyTunnel: false, // tunnel only what needs it (https); plain http goes as an absolute URL
    ...Option.match(proxy.authorization, { onNone: () => ({}), onSome: (token) => ({ token: Redacted.value(token) }) })
  })

class Routed extends Undici.Dispatcher {
  private readonly direct = new Undici.Agent()
  private readonly proxied = new Map<Proxy.Proxy, Undici.Dispatcher>()
  private readonly byOrigin = new Map<string, Undici.Dispatcher>()

  constructor(private readonly routes: Proxy.Routes) {
    super()
  }

  private pick(origin: string): Undici.Dispatcher {
    let dispatcher = this.byOrigin.get(origin)
    if (dispatcher === undefined) {
      const proxy = this.routes(new URL(origin))
      if (proxy === undefined) {
        dispatcher = this.direct
      } else {
        dispatcher = this.proxied.get(proxy) ?? proxyAgent(proxy)
        this.proxied.set(proxy, dispatcher)
      }
      this.byOrigin.set(origin, dispatcher)
    }
    return dispatcher
  }

  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return this.pick(String(options.origin)).dispatch(options, handler)
  }

  private all() {
    return [this.direct, ...this.proxied.values()]
  }

  // The clients on top call the promise forms only; one signature stands for undici's overloads.
  override close(..._: Array<unknown>): any {
    return Promise.all(this.all().map((dispatcher) => dispatcher.close())).then(() => undefined)
  }

  override destroy(..._: Array<unknown>): any {
    return Promise.all(this.all().map((dispatcher) => dispatcher.destroy())).then(() => undefined)
  }
}

/** A dispatcher on `routes`, closed (with every connection it opened) by `close` / `destroy`. */
export const make = (routes: Proxy.Routes): Undici.Dispatcher => new Routed(routes)
