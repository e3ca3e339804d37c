/**
 * The apps the fake platform knows, and how their credentials are checked: an App Secret, or a client
 * assertion for keyless apps (the fake compares the assertion as a string; it checks no signature).
 */

export interface FakeApp {
  readonly appId: string
  readonly appSecret?: string | undefined
  /** The client assertion this app signs with; any audience is accepted. */
  readonly clientAssertion?: string | undefined
}

/**
 * The app the fakes accept unless told otherwise. Its id has the platform's format (`cli_` and 16 hex
 * digits), which the official Node SDK's `WSClient` insists on, so other SDKs can connect to the fakes too.
 */
export const defaultApp = { appId: "cli_a1b2c3d4e5f6a7b8", appSecret: "fake_secret" } as const satisfies FakeApp

/** The apps the fakes accept unless told otherwise. */
export const defaultApps: ReadonlyArray<FakeApp> = [defaultApp]

/** Whether `secret` is the App Secret of app `appId` (an app without one accepts none). */
export const knowsSecret = (apps: ReadonlyArray<FakeApp>, appId: unknown, secret: unknown): boolean =>
  apps.some((app) => app.appId === appId && app.appSecret !== undefined && app.appSecret === secret)

/** Whether `assertion` is the client assertion of app `appId` (an app without one accepts none). */
export const knowsAssertion = (apps: ReadonlyArray<FakeApp>, appId: unknown, assertion: unknown): boolean =>
  apps.some((app) => app.appId === appId && app.clientAssertion !== undefined && app.clientAssertion === assertion)
