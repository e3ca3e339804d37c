/** The test kit: a mock HTTP layer and a fake Open Platform server. */
export * as MockHttp from "./MockHttp.js"
