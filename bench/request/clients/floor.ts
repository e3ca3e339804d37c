import { APP, type Call, MESSAGE } from "../protocol.js"

/** What the fake platform answers; a floor client checks `code` itself. */
export interface Envelope {
  readonly code: number
  readonly msg?: string
  readonly tenant_access_token?: string
}

/** A bare POST of `body` as JSON with `headers`, read whole as an envelope; rejects unless `code` is 0. */
export type Post = (url: string, body: unknown, headers?: Record<string, string>) => Promise<Envelope>

/** A floor on `post`: one token fetched up front, then a bare POST and JSON read per call. */
export const floorOn = (post: Post) => async (url: string): Promise<Call> => {
  const { tenant_access_token } = await post(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    app_id: APP.appId,
    app_secret: APP.appSecret
  })
  const authorization = `Bearer ${tenant_access_token}`
  const endpoint = `${url}/open-apis/im/v1/messages?receive_id_type=${MESSAGE.params.receive_id_type}`
  return async () => void (await post(endpoint, MESSAGE.data, { authorization }))
}
