/**
 * One-click app registration through the OAuth device flow: `registerApp` (a Stream of events),
 * `registerAppEffect` (callbacks, an Effect) and `registerAppAsync` (callbacks, a Promise with an AbortSignal).
 */
export { type AppAddons, encodeAddons, type IdentityLists, normalizeAddons } from "./addons.js"
export * from "./errors.js"
export { type RegisteredApp, RegistrationEvent, type StatusKind, type UserInfo } from "./events.js"
export {
  type Callback,
  type QrCodeInfo,
  type RegisterAppAsyncOptions,
  type RegisterAppCallbacks,
  type RegisterAppEffectOptions,
  registerAppAsync,
  registerAppEffect,
  type StatusInfo
} from "./facades.js"
export { type AppPreset, MAX_AVATARS, type RegisterAppOptions } from "./options.js"
export { registerApp } from "./registerApp.js"
