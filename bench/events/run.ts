/**
 * `npm run bench:events`: webhook events per second through lark-effect's `handle` and through
 * `@larksuiteoapi/node-sdk`'s `EventDispatcher.invoke`, on the same encrypted, signed
 * `im.message.receive_v1` bodies (`BENCH_EVENTS` distinct events a round, default 20,000; 5 rounds, the
 * median is reported). Every body is verified, decrypted and handed to a handler that only counts. The
 * sides take turns on slices of 500 events, so that a machine busy with other work slows them alike.
 *
 * Each side starts from the raw body bytes, as a server receives them: node-sdk's adapters `JSON.parse`
 * the body and attach the headers on the prototype before `invoke`; lark-effect's `handle` takes the bytes
 * (it verifies the signature over them, decrypts, classifies, de-duplicates and dispatches). lark-effect is
 * measured with one `runPromise` per request (what the node:http listener does) and with all requests in one
 * fiber (what an `HttpApp` on an Effect server amounts to), each as an esbuild bundle (what an application
 * ships) and through tsx (`larkEffect.ts` says why they differ).
 *
 * Prints a table, then the figures as JSON on the last line.
 */
import { randomUUID } from "node:crypto"
import { fileURLToPath, pathToFileURL } from "node:url"
import { performance } from "node:perf_hooks"
import * as lark from "@larksuiteoapi/node-sdk"
import * as Crypto from "../../src/events/crypto.js"
import { bundleForBench } from "../shared/bundle.js"
import * as LarkEffect from "./larkEffect.js"
import type { Delivery, Runner } from "./larkEffect.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const ROUNDS = 5
const KEY = "bench encrypt key"

/** A distinct, realistic message event, encrypted and signed like the platform sends it. */
const delivery = (i: number): Delivery => {
  const plain = JSON.stringify({
    schema: "2.0",
    header: {
      event_id: randomUUID().replaceAll("-", ""),
      event_type: "im.message.receive_v1",
      create_time: String(1_700_000_000_000 + i),
      token: "bench token",
      app_id: "cli_bench",
      tenant_key: "tk_bench"
    },
    event: {
      sender: { sender_id: { open_id: `ou_${i}`, union_id: `on_${i}`, user_id: `u${i}` }, sender_type: "user", tenant_key: "tk_bench" },
      message: {
        message_id: `om_${i}`,
        create_time: String(1_700_000_000_000 + i),
        chat_id: "oc_bench",
        chat_type: "group",
        message_type: "text",
        content: JSON.stringify({ text: `hello number ${i}, how are you today?` }),
        mentions: []
      }
    }
  })
  const rawBody = Buffer.from(JSON.stringify({ encrypt: Crypto.encrypt(KEY, plain) }))
  const timestamp = String(1_700_000_000 + i)
  const nonce = `nonce${i}`
  return {
    rawBody,
    headers: {
      "content-type": "application/json",
      "x-lark-request-timestamp": timestamp,
      "x-lark-request-nonce": nonce,
      "x-lark-signature": Crypto.signature(timestamp, nonce, KEY, rawBody)
    }
  }
}

/** node-sdk: parse, attach headers on the prototype (as its adapters do), invoke. */
const nodeSdk = (): Runner => {
  let handled = 0
  const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, loggerLevel: lark.LoggerLevel.error }).register({
    "im.message.receive_v1": async () => {
      handled++
    }
  })
  return {
    handled: () => handled,
    run: async (deliveries) => {
      for (const { headers, rawBody } of deliveries) {
        await dispatcher.invoke(Object.assign(Object.create({ headers }), JSON.parse(rawBody.toString("utf8"))))
      }
    }
  }
}

const Bundle: typeof LarkEffect = await import(
  pathToFileURL(await bundleForBench(fileURLToPath(new URL("./larkEffect.ts", import.meta.url)), "events-larkEffect")).href
)

const RUNNERS = {
  "@larksuiteoapi/node-sdk invoke": nodeSdk,
  "lark-effect, bundle, runPromise per request": () => Bundle.perRequest(KEY),
  "lark-effect, bundle, one fiber": () => Bundle.oneFiber(KEY),
  "lark-effect, tsx, runPromise per request": () => LarkEffect.perRequest(KEY),
  "lark-effect, tsx, one fiber": () => LarkEffect.oneFiber(KEY)
} as const

type Name = keyof typeof RUNNERS

/** Events per slice: the runners take turns slice by slice, so that a busy machine slows them alike. */
const SLICE = 500

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** One round: every runner handles the same deliveries; answers each one's events per second. */
const round = async (names: ReadonlyArray<Name>, deliveries: ReadonlyArray<Delivery>) => {
  const runners = names.map((name) => [name, RUNNERS[name]()] as const)
  const elapsed = new Map<Name, number>(names.map((name) => [name, 0]))
  for (let at = 0, turn = 0; at < deliveries.length; at += SLICE, turn++) {
    const slice = deliveries.slice(at, at + SLICE)
    for (let i = 0; i < runners.length; i++) {
      const [name, runner] = runners[(i + turn) % runners.length]!
      const start = performance.now()
      await runner.run(slice)
      elapsed.set(name, elapsed.get(name)! + performance.now() - start)
    }
  }
  return runners.map(([name, runner]) => {
    if (runner.handled() !== deliveries.length) throw new Error(`${name} handled ${runner.handled()} of ${deliveries.length} events`)
    return [name, deliveries.length / (elapsed.get(name)! / 1000)] as const
  })
}

const main = async () => {
  console.log(`preparing ${EVENTS} encrypted, signed im.message.receive_v1 bodies per round, ${ROUNDS} rounds`)
  const names = Object.keys(RUNNERS) as Array<Name>
  const rates = new Map<Name, Array<number>>(names.map((name) => [name, []]))
  // warm-up: the JIT sees every path before anything is timed
  await round(names, Array.from({ length: 2_000 }, (_, i) => delivery(i)))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, rate] of await round(names, Array.from({ length: EVENTS }, (_, i) => delivery(i)))) {
      rates.get(name)!.push(rate)
    }
  }
  const result = Object.fromEntries(names.map((name) => [name, Math.round(median(rates.get(name)!))])) as Record<Name, number>
  const baseline = result["@larksuiteoapi/node-sdk invoke"]
  console.log(`\n${"".padEnd(44)} ${"events/s".padStart(10)} ${"vs node-sdk".padStart(12)}`)
  for (const name of names) {
    console.log(`${name.padEnd(44)} ${String(result[name]).padStart(10)} ${(result[name] / baseline).toFixed(2).padStart(11)}x`)
  }
  console.log(`\nnode ${process.version}, ${EVENTS} events a round in slices of ${SLICE}, median of ${ROUNDS} rounds`)
  console.log(JSON.stringify({ events: EVENTS, rounds: ROUNDS, eventsPerSecond: result }))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
