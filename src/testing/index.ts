/** The test kit: a mock HTTP layer and a fake Open Platform server (its Node wiring is `lark-effect/layers/testing`). */
export * as FakeOpenPlatform from "./FakeOpenPlatform.js"
export * as MockHttp from "./MockHttp.js"
export * as FakeRegistration from "./FakeRegistration.js"
export { defaultApp, type FakeApp } from "./fakeApps.js"
