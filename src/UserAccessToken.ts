/**
 * User access tokens: exchange an OAuth authorization code, and refresh.
 *
 * Three generations of endpoints exist: OIDC v1 (`/open-apis/authen/v1/oidc/...`, called with the app token),
 * OAuth v2 (`/open-apis/authen/v2/oauth/token`) and OAuth v3 (`{accounts}/oauth/v3/token`, PKCE), the last two
 * with the client credentials in the body (the app secret, or a keyless app's client assertion on v3). All give
 * a `UserToken` whose secrets are `Redacted`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { LarkConfig, type Service as LarkConfigService } from "./LarkConfig.js"
import { type LarkError, LarkTokenError } from "./LarkError.js"
import type { Operation } from "./Operation.js"
import { execute } from "./Request.js"
import { refused } from "./Tokens.js"
import { postJson } from "./internal/send.js"

export interface UserToken {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  readonly tokenType: string | undefined
  /** Seconds. */
  readonly expiresIn: number
  readonly refreshExpiresIn: number | undefined
  readonly scope: string | undefined
}

const OidcToken = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.optional(Schema.String),
  token_type: Schema.optional(Schema.String),
  expires_in: Schema.Number,
  refresh_expires_in: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String)
})

const OAuthToken = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.optional(Schema.String),
  token_type: Schema.optional(Schema.String),
  expires_in: Schema.Number,
  refresh_token_expires_in: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String)
})

const oidcOperation = (id: string, path: string): Operation<{ data: Record<string, string> }, typeof OidcToken.Type> => ({
  id,
  method: "POST",
  path,
  tokens: ["app"],
  response: OidcToken,
  secretAnswer: true
})

const oidcExchange = oidcOperation("authen.v1.oidcAccessToken.create", "/open-apis/authen/v1/oidc/access_token")
const oidcRefresh = oidcOperation("authen.v1.oidcRefreshAccessToken.create", "/open-apis/authen/v1/oidc/refresh_access_token")

const fromOidc = (token: typeof OidcToken.Type): UserToken => ({
  accessToken: Redacted.make(token.access_token),
  refreshToken: token.refresh_token === undefined ? undefined : Redacted.make(token.refresh_token),
  tokenType: token.token_type,
  expiresIn: token.expires_in,
  refreshExpiresIn: token.refresh_expires_in,
  scope: token.scope
})

const fromOAuth = (token: typeof OAuthToken.Type): UserToken =>
  fromOidc({ ...token, refresh_expires_in: token.refresh_token_expires_in })

const asUserTokenError = refused("user")

/** OIDC v1: trades an authorization code (valid 5 minutes, single use) for a user token. */
export const exchangeCodeOidc = (code: string) =>
  execute(oidcExchange, { data: { grant_type: "authorization_code", code } }).pipe(
    Effect.mapBoth({ onFailure: asUserTokenError, onSuccess: fromOidc })
  )

/** OIDC v1: a new user token from a refresh token. */
export const refreshOidc = (refreshToken: Redacted.Redacted<string>) =>
  execute(oidcRefresh, { data: { grant_type: "refresh_token", refresh_token: Redacted.value(refreshToken) } }).pipe(
    Effect.mapBoth({ onFailure: asUserTokenError, onSuccess: fromOidc })
  )

export type OAuthVersion = "v2" | "v3"

export interface CodeExchange {
  readonly code: string
  readonly redirectUri?: string | undefined
  /** The PKCE verifier, when the authorization request carried a challenge (required by v3). */
  readonly codeVerifier?: string | undefined
  readonly scope?: string | undefined
}

const oauthOperation = (version: OAuthVersion): Operation<{}, typeof OAuthToken.Type> => ({
  id: `oauth.${version}.token`,
  method: "POST",
  path: version === "v2" ? "/open-apis/authen/v2/oauth/token" : "/oauth/v3/token",
  tokens: [],
  result: "flat",
  response: OAuthToken,
  secretAnswer: true
})

/**
 * The app's credentials for the OAuth token endpoint: a keyless app's client assertion (RFC 7523, audience the
 * accounts host, as node-sdk's `AccessToken` sends it; OAuth v3 only), else the app secret.
 */
const clientCredentials = (config: LarkConfigService, version: OAuthVersion) =>
  Option.match(config.clientAssertion, {
    onSome: (sign) =>
      version === "v2"
        ? Effect.fail(new LarkTokenError({ kind: "user", detail: "keyless apps (client assertion) exchange user tokens on OAuth v3" }))
        : Effect.mapBoth(sign(new URL(config.domain.accounts).host), {
          onFailure: (cause) =>
            new LarkTokenError({ kind: "user", detail: `the client assertion signer failed: ${cause instanceof Error ? cause.message : String(cause)}` }),
          onSuccess: (assertion): Record<string, string> => ({
            client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion: Redacted.value(assertion)
          })
        }),
    onNone: () =>
      Option.match(config.appSecret, {
        onNone: () => Effect.fail(new LarkTokenError({ kind: "user", detail: "the OAuth token endpoints need the app secret or a client assertion" })),
        onSome: (secret) => Effect.succeed<Record<string, string>>({ client_secret: Redacted.value(secret) })
      })
  })

/** POSTs to the OAuth token endpoint with the app's credentials in the body (never logged). */
const oauthToken = (
  version: OAuthVersion,
  fields: Record<string, string | undefined>
): Effect.Effect<UserToken, LarkError, LarkConfig | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const config = yield* LarkConfig
    const credentials = yield* clientCredentials(config, version)
    const operation = oauthOperation(version)
    const base = version === "v2" ? config.domain.open : config.domain.accounts
    const body = { ...fields, client_id: config.appId, ...credentials }
    return fromOAuth(yield* Effect.mapError(postJson(operation, base, config.userAgent, body, config), asUserTokenError))
  })

/** OAuth v2 / v3: trades an authorization code for a user token. */
export const exchangeCode = (exchange: CodeExchange, version: OAuthVersion = "v3") =>
  oauthToken(version, {
    grant_type: "authorization_code",
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
    code_verifier: exchange.codeVerifier,
    scope: exchange.scope
  })

/** OAuth v2 / v3: a new user token from a refresh token (issued only with the `offline_access` scope). */
export const refresh = (refreshToken: Redacted.Redacted<string>, version: OAuthVersion = "v3") =>
  oauthToken(version, { grant_type: "refresh_token", refresh_token: Redacted.value(refreshToken) })
