/**
 * A fake of the accounts server's app-registration endpoint (`POST /oauth/v1/app/registration`, the
 * device flow behind `registerApp`), scriptable per test.
 *
 * `init` lists the supported auth methods, `begin` issues a device code, and each `poll` takes the next
 * scripted answer (pending once the script runs out), after two checks a real server makes too: an unknown
 * device code is refused and a code past its `expires_in` is expired. Every request is recorded with its
 * host (to see the Lark switch) and its time on the caller's `Clock` (to see the intervals under
 * `TestClock`).
 *
 * Use it in-process through `layer` (an `HttpClient` answering from this logic, no sockets: the way to run
 * the flow under `TestClock`), or on a real server through `FakeOpenPlatform`, which serves it too.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { Service } from "../internal/dialect.js"

export const ENDPOINT = "/oauth/v1/app/registration"

export type Action = "init" | "begin" | "poll"

/** An answer of the endpoint: a JSON value, or a string sent as it is (to fake a broken proxy). */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

/** Answers to script with `program`. Waiting and refusals come back with HTTP 400, as on the real server. */
export const Reply = {
  json: (status: number, body: unknown): Reply => ({ status, body }),
  /** A protocol error: `{ error, error_description }`. */
  error: (code: string, description = "", status = 400): Reply => ({ status, body: { error: code, error_description: description } }),
  pending: (): Reply => Reply.error("authorization_pending", "The user has not finished yet"),
  slowDown: (): Reply => Reply.error("slow_down", "Polling too fast"),
  denied: (): Reply => Reply.error("access_denied", "The user refused"),
  expired: (): Reply => Reply.error("expired_token", "The device code expired"),
  /** The user confirmed: the app's credentials. */
  success: (app: {
    readonly clientId?: string
    readonly clientSecret?: string
    readonly openId?: string
    readonly tenantBrand?: string
  } = {}): Reply => ({
    status: 200,
    body: {
      client_id: app.clientId ?? "cli_fake_registered",
      client_secret: app.clientSecret ?? "fake_registered_secret",
      user_info: { open_id: app.openId ?? "ou_fake_user", tenant_brand: app.tenantBrand ?? "feishu" }
    }
  }),
  /**
   * A Lark tenant's user confirmed while polling the Feishu host: an app id without a secret, marked
   * `tenant_brand: "lark"`; the secret is only given by the Lark host.
   */
  larkTenant: (clientId = "cli_fake_registered"): Reply => ({
    status: 200,
    body: { client_id: clientId, client_secret: "", user_info: { open_id: "ou_fake_user", tenant_brand: "lark" } }
  }),
  /** A body that is not JSON (e.g. a gateway's HTML page). */
  text: (status: number, text: string): Reply => ({ status, body: text })
} as const

export interface RecordedRegistrationCall {
  /** `host[:port]` the request was sent to. */
  readonly host: string
  readonly action: string
  /** Every form field, as decoded. */
  readonly fields: Readonly<Record<string, string>>
  /** When it arrived, on the handling fiber's `Clock` (milliseconds). */
  readonly at: number
  /** The request's `User-Agent` (`undefined` when it had none). */
  readonly userAgent: string | undefined
}

export class FakeRegistration extends Service<FakeRegistration, FakeRegistration.Service>()(
  "lark-effect/testing/FakeRegistration"
) {}

export declare namespace FakeRegistration {
  interface Options {
    /** `interval` of the `begin` answer, seconds. Default 5. */
    readonly interval?: number
    /** `expires_in` of the `begin` answer, seconds. Default 600. */
    readonly expiresIn?: number
    /** Base of `verification_uri_complete`; `user_code=<code>` is added to it. Default `https://accounts.feishu.invalid/page/launcher`. */
    readonly verificationUri?: string
    /** `supported_auth_methods` of the `init` answer. Default `["client_secret"]`. */
    readonly supportedAuthMethods?: ReadonlyArray<string>
  }

  interface Service {
    /** Answers one request: `form` is the `application/x-www-form-urlencoded` body. */
    readonly handle: (
      request: { readonly host: string; readonly form: string; readonly userAgent?: string | undefined }
    ) => Effect.Effect<Reply>
    /** Queues one-shot answers for an action; they are used in order, then the default behaviour resumes. */
    readonly program: (action: Action, ...answers: ReadonlyArray<Reply>) => Effect.Effect<void>
    /** Every request received, in order. */
    readonly calls: Effect.Effect<ReadonlyArray<RecordedRegistrationCall>>
    /** The requests of one action. */
    readonly callsOf: (action: Action) => Effect.Effect<ReadonlyArray<RecordedRegistrationCall>>
    /** An `HttpClient` answering from this fake in-process (any host, this endpoint only). */
    readonly httpClient: HttpClient.HttpClient
  }
}

type Script = Record<Action, ReadonlyArray<Reply>>

interface Issued {
  readonly deviceCode: string
  readonly expiresAt: number
}

const fieldsOf = (form: string): Record<string, string> => Object.fromEntries(new URLSearchParams(form))

/** The `HttpClient` side: reads the form body, answers as a server would (text bodies as they are). */
const toClient = (handle: FakeRegistration.Service["handle"]): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      if (request.method !== "POST" || url.pathname !== ENDPOINT) {
        return HttpClientResponse.fromWeb(request, new Response("404 page not found", { status: 404 }))
      }
      const reply = yield* handle({ host: url.host, form: formText(request), userAgent: request.headers["user-agent"] })
      return HttpClientResponse.fromWeb(request, toWebResponse(reply))
    }))

const formText = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""

/** A web `Response` for a reply: JSON unless the body is a string. */
export const toWebResponse = (reply: Reply): Response => {
  const text = typeof reply.body === "string"
  const contentType = text ? "text/html; charset=utf-8" : "application/json; charset=utf-8"
  return new Response(text ? reply.body as string : JSON.stringify(reply.body), {
    status: reply.status,
    headers: { "content-type": contentType }
  })
}

/** The server side (`FakeOpenPlatform` routes `ENDPOINT` here): answers a request's form body sent to `host`. */
export const serve = (
  fake: FakeRegistration.Service,
  host: string,
  form: string
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.map(fake.handle({ host, form }), (reply) => HttpServerResponse.fromWeb(toWebResponse(reply)))

export const make = (options: FakeRegistration.Options = {}): Effect.Effect<FakeRegistration.Service> =>
  Effect.gen(function*() {
    const interval = options.interval ?? 5
    const expiresIn = options.expiresIn ?? 600
    const calls = yield* Ref.make(Chunk.empty<RecordedRegistrationCall>())
    const programmed = yield* Ref.make<Script>({ init: [], begin: [], poll: [] })
    const issued = yield* Ref.make<ReadonlyArray<Issued>>([])

    const takeProgrammed = (action: Action) =>
      Ref.modify(programmed, (all): [Reply | undefined, Script] => {
        const [first, ...rest] = all[action]
        return [first, { ...all, [action]: rest }]
      })

    const begin = (now: number) =>
      Effect.gen(function*() {
        const n = (yield* Ref.get(issued)).length + 1
        const deviceCode = `fake_device_code_${n}`
        const userCode = `FAKE-${String(n).padStart(4, "0")}`
        yield* Ref.update(issued, (all) => [...all, { deviceCode, expiresAt: now + expiresIn * 1000 }])
        const verification = new URL(options.verificationUri ?? "https://accounts.feishu.invalid/page/launcher")
        const complete = new URL(verification)
        complete.searchParams.set("user_code", userCode)
        return Reply.json(200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: verification.toString(),
          verification_uri_complete: complete.toString(),
          interval,
          expires_in: expiresIn
        })
      })

    const poll = (fields: Record<string, string>, now: number) =>
      Effect.gen(function*() {
        const code = (yield* Ref.get(issued)).find((candidate) => candidate.deviceCode === fields["device_code"])
        if (code === undefined) return Reply.error("invalid_request", "unknown device_code")
        if (now >= code.expiresAt) return Reply.expired()
        return (yield* takeProgrammed("poll")) ?? Reply.pending()
      })

    const handle: FakeRegistration.Service["handle"] = ({ form, host, userAgent }) =>
      Effect.gen(function*() {
        const fields = fieldsOf(form)
        const action = fields["action"] ?? ""
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(calls, Chunk.append({ host, action, fields, at: now, userAgent }))
        switch (action) {
          case "init":
            return (yield* takeProgrammed("init")) ??
              Reply.json(200, { supported_auth_methods: options.supportedAuthMethods ?? ["client_secret"] })
          case "begin":
            return (yield* takeProgrammed("begin")) ?? (yield* begin(now))
          case "poll":
            return yield* poll(fields, now)
          default:
            return Reply.error("invalid_request", `unknown action ${JSON.stringify(action)}`)
        }
      })

    const allCalls = Effect.map(Ref.get(calls), Chunk.toReadonlyArray)
    return {
      handle,
      program: (action, ...answers) => Ref.update(programmed, (all) => ({ ...all, [action]: [...all[action], ...answers] })),
      calls: allCalls,
      callsOf: (action) => Effect.map(allCalls, (all) => all.filter((call) => call.action === action)),
      httpClient: toClient(handle)
    }
  })

/** Provides the fake and an `HttpClient` answering from it in-process. */
export const layer = (options?: FakeRegistration.Options): Layer.Layer<FakeRegistration | HttpClient.HttpClient> =>
  Layer.effectContext(Effect.map(make(options), (fake) =>
    Context.make(FakeRegistration, fake).pipe(Context.add(HttpClient.HttpClient, fake.httpClient))))
