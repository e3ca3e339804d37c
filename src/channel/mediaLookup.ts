/**
 * The address check of a media download, made where the socket resolves its host: a `lookup` function for
 * `node:net` that resolves the name, refuses the connection if any address is not admitted
 * (`admitsAddress` in `ssrf.ts`), and otherwise hands the socket exactly the addresses it checked. DNS
 * cannot answer differently between the check and the connection, since there is only one answer.
 *
 * A name with one public and one internal address is refused as a whole rather than filtered: such a name
 * is not a plain public media host, and refusing it is the simpler promise.
 */
import type { LookupAddress, LookupOptions } from "node:dns"
import { lookup as dnsLookup } from "node:dns/promises"
import { isIP, type LookupFunction } from "node:net"
import { ChannelSendError } from "./errors.js"

/** Every address a host name resolves to, IPv4 and IPv6. */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<string>>

/** The system's resolver (`dns.lookup`, hosts file included), all addresses. */
export const systemResolver: Resolver = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true }).then((all) => all.map((entry) => entry.address))

const wantedFamily = (options: LookupOptions): number =>
  options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family ?? 0

/** A socket `lookup` that resolves through `resolve` and admits a connection only when every address passes `admits`. */
export const guardedLookup = (resolve: Resolver, admits: (address: string) => boolean): LookupFunction =>
  (hostname, options, callback) => {
    const fail = (code: "ssrf_blocked" | "download_failed", detail: string) =>
      callback(new ChannelSendError({ code, detail }), [])
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((address) => !admits(address))
        if (refused !== undefined) return fail("ssrf_blocked", `${hostname} resolves to an internal address (${refused})`)
        const family = wantedFamily(options)
        const usable: Array<LookupAddress> = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((entry) => family === 0 || entry.family === family)
        const first = usable[0]
        if (first === undefined) return fail("download_failed", `${hostname} has no IPv${family === 0 ? "4 or IPv6" : family} address`)
        return options.all === true ? callback(null, usable) : callback(null, first.address, first.family)
      },
      (cause: unknown) =>
        fail("download_failed", `${hostname} could not be resolved: ${cause instanceof Error ? cause.message : String(cause)}`)
    )
  }
