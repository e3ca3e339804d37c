/**
 * What `lark-effect register` prints and writes, as pure functions of the flow's events and result, and
 * what `call` and `events` say about a missing or bad app configuration.
 */
import type { LarkConfigError } from "../LarkError.js"
import type { RegisteredApp, StatusInfo, StatusKind } from "../registration/index.js"
import { type RegistrationFailure } from "../registration/index.js"

/** Shows the first and last 4 characters of a long secret, stars for the rest; a short one is all stars. */
export const maskSecret = (secret: string): string =>
  secret.length >= 16 ? `${secret.slice(0, 4)}${"*".repeat(secret.length - 8)}${secret.slice(-4)}` : "*".repeat(secret.length)

const minutes = (seconds: number): string =>
  seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds)} seconds`

export const qrCodeLines = (qrCode: string, url: string, expireIn: number): ReadonlyArray<string> => [
  "Scan this QR code with the Feishu / Lark mobile app to create the app:",
  "",
  qrCode.trimEnd(),
  "",
  `Or open this link: ${url}`,
  `The code is valid for ${minutes(expireIn)}. Press Ctrl-C to cancel.`
]

/**
 * One line per status change; repeated `polling` answers say nothing new, so only the first one prints.
 * `previous` is the status printed before, if any.
 */
export const statusLine = (info: StatusInfo, previous: StatusKind | undefined): string | undefined => {
  switch (info.status) {
    case "polling":
      return previous === "polling" ? undefined : "Waiting for you to confirm in the app..."
    case "slow_down":
      return `The server asked to poll more slowly: every ${info.interval ?? "?"} s now.`
    case "domain_switched":
      return "Lark account detected: continuing on the Lark (larksuite.com) servers."
  }
}

/** The lines that show the new app: its ID, its masked secret and its platform. */
export const appLines = (app: RegisteredApp, secret: string): ReadonlyArray<string> => [
  "",
  "App ready.",
  `  App ID:     ${app.clientId}`,
  `  App Secret: ${maskSecret(secret)}`,
  ...(app.userInfo?.tenant_brand === undefined ? [] : [`  Platform:   ${app.userInfo.tenant_brand === "lark" ? "Lark" : "Feishu"}`])
]

/** The line after {@link appLines}: where the credentials were saved, or how to save them. */
export const envFileLine = (envFile: string | undefined): string =>
  envFile === undefined
    ? "Pass --write-env .env to save the credentials; the secret is also shown in the developer console."
    : `Saved LARK_APP_ID and LARK_APP_SECRET to ${envFile}.`

/** A short, human reason for a failed run. */
export const failureLine = (error: RegistrationFailure): string => {
  switch (error._tag) {
    case "RegistrationDenied":
      return "The request was declined in the app. No app was created."
    case "RegistrationExpired":
      return "The QR code expired before it was confirmed. Run the command again for a new one."
    default:
      return `Registration failed: ${error.message}`
  }
}

/** Environment variables for the new app; `LARK_DOMAIN` only when the server said which platform it is on. */
export const envVariables = (app: RegisteredApp, secret: string): ReadonlyArray<readonly [string, string]> => [
  ["LARK_APP_ID", app.clientId],
  ["LARK_APP_SECRET", secret],
  ...(app.userInfo?.tenant_brand === "lark" || app.userInfo?.tenant_brand === "feishu"
    ? [["LARK_DOMAIN", app.userInfo.tenant_brand] as const]
    : [])
]

/**
 * A `.env` file's text with the variables set: existing assignments (also `export NAME=`) are replaced in
 * place, the others appended; every other line is kept as it was.
 */
export const upsertEnv = (existing: string, variables: ReadonlyArray<readonly [string, string]>): string => {
  const lines = existing === "" ? [] : existing.replace(/\r?\n$/, "").split(/\r?\n/)
  const wanted = new Map(variables)
  const replaced = new Set<string>()
  const updated = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1]
    if (name === undefined || !wanted.has(name)) return line
    replaced.add(name)
    return `${name}=${wanted.get(name)}`
  })
  const appended = variables.filter(([name]) => !replaced.has(name)).map(([name, value]) => `${name}=${value}`)
  return [...updated, ...appended].join("\n") + "\n"
}

/** A missing or bad `LARK_*` variable, and where the variables come from. */
export const configErrorLines = (error: LarkConfigError): ReadonlyArray<string> => [
  error.message,
  "call and events read LARK_APP_ID, LARK_APP_SECRET and LARK_DOMAIN from the environment",
  "(lark-effect register --write-env .env writes them to a file)."
]
