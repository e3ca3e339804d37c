/**
 * Card callbacks: the payloads and typed responses of the v2 callbacks `card.action.trigger` and
 * `url.preview.get`, the legacy card action (the flat body of the old card request URL), and small
 * constructors for the responses.
 *
 * The generated event schemas do not cover callbacks, so these types are written by hand from the
 * protocol notes (spec §4.5, §5). Fields the platform may leave out are optional; unknown fields are kept
 * as received (the payload is passed through as parsed JSON).
 *
 * A callback handler's result is the HTTP reply body (and the long connection's ack data). A handler that
 * returns nothing is answered with `{}`: an empty object is what the client accepts without error 108002.
 */
import type { Card } from "../cards/model.js"

/** The ids of a user: `open_id` always, the others when the app may see them. */
export interface CallbackOperator {
  readonly tenant_key?: string | undefined
  readonly open_id?: string | undefined
  readonly user_id?: string | undefined
  readonly union_id?: string | undefined
}

/** What the user did on the card: the component's tag, its `value`, and what they entered or chose. */
export interface CardAction {
  /** The component: `button`, `select_static`, `input`, `form`, `checker`, ... */
  readonly tag?: string | undefined
  /** The `value` the card gave the component (any JSON the card author chose). */
  readonly value?: unknown
  /** The component's `name`. */
  readonly name?: string | undefined
  /** A single-select choice. */
  readonly option?: string | undefined
  /** Multi-select choices. */
  readonly options?: ReadonlyArray<string> | undefined
  readonly timezone?: string | undefined
  /** The values of a submitted form, by component name. */
  readonly form_value?: Readonly<Record<string, unknown>> | undefined
  /** The text of an input. */
  readonly input_value?: string | undefined
  /** A checker's state. */
  readonly checked?: boolean | undefined
}

/** Where the card or link is shown. */
export interface CallbackContext {
  readonly url?: string | undefined
  readonly preview_token?: string | undefined
  readonly open_message_id?: string | undefined
  readonly open_chat_id?: string | undefined
}

/** The payload (`event`) of the v2 callback `card.action.trigger`. */
export interface CardActionTrigger {
  readonly operator?: CallbackOperator | undefined
  /** The card-update token (`c-...`): lets the app update this card later through the API. */
  readonly token?: string | undefined
  readonly action?: CardAction | undefined
  /** `im_message`, `im_top_notice`, ... */
  readonly host?: string | undefined
  readonly delivery_type?: string | undefined
  readonly context?: CallbackContext | undefined
}

/** The payload (`event`) of the v2 callback `url.preview.get`. */
export interface UrlPreviewGet {
  readonly operator?: CallbackOperator | undefined
  readonly host?: string | undefined
  readonly context?: CallbackContext | undefined
}

/** Text by locale, e.g. `{ zh_cn: "...", en_us: "..." }`. */
export type I18nText = Readonly<Record<string, string>>

export interface Toast {
  readonly type: "info" | "success" | "warning" | "error"
  readonly content: string
  readonly i18n?: I18nText | undefined
}

/**
 * A card as an interactive message, a card update or a callback reply takes it: a card built with
 * `lark-effect/cards` (`Card.make(...)`, an interface without an index signature), or any card JSON.
 */
export type CardJson = Card | Readonly<Record<string, unknown>>

/** The card that replaces the one the user acted on: card JSON, or a card template with its variables. */
export type CardUpdate =
  | { readonly type: "raw"; readonly data: CardJson }
  | {
    readonly type: "template"
    readonly data: {
      readonly template_id: string
      readonly template_variable?: Readonly<Record<string, unknown>> | undefined
      readonly template_version_name?: string | undefined
    }
  }

/** The reply to `card.action.trigger`: a toast, a new card, both, or neither (`{}`). */
export interface CardActionResponse {
  readonly toast?: Toast | undefined
  readonly card?: CardUpdate | undefined
}

/** The link preview of `url.preview.get`: the inline title, icon and per-platform URLs. */
export interface UrlPreviewInline {
  readonly title?: string | undefined
  readonly i18n_title?: I18nText | undefined
  readonly image_key?: string | undefined
  readonly url?: {
    readonly copy_url?: string | undefined
    readonly ios?: string | undefined
    readonly android?: string | undefined
    readonly pc?: string | undefined
    readonly web?: string | undefined
  } | undefined
}

/** The reply to `url.preview.get`. */
export interface UrlPreviewResponse {
  readonly inline?: UrlPreviewInline | undefined
  readonly card?: CardUpdate | undefined
}

/** The payloads of the typed v2 callbacks, by `header.event_type`. */
export interface CallbackPayloads {
  readonly "card.action.trigger": CardActionTrigger
  readonly "url.preview.get": UrlPreviewGet
}

/** What the handler of each typed v2 callback returns (or nothing, answered `{}`). */
export interface CallbackResponses {
  readonly "card.action.trigger": CardActionResponse
  readonly "url.preview.get": UrlPreviewResponse
}

export type CallbackType = keyof CallbackPayloads

/**
 * The body of a legacy card action (the old card request URL): flat, not wrapped in an envelope. The
 * challenge variant (`type: "url_verification"`) is answered before any handler runs.
 */
export interface LegacyCardAction {
  readonly open_id?: string | undefined
  readonly user_id?: string | undefined
  readonly union_id?: string | undefined
  readonly open_message_id?: string | undefined
  readonly open_chat_id?: string | undefined
  readonly tenant_key?: string | undefined
  /** The card-update token (`c-...`), not the Verification Token. */
  readonly token?: string | undefined
  readonly timezone?: string | undefined
  readonly action?: CardAction | undefined
}

/**
 * The reply to a legacy card action: a card JSON that replaces the card (any JSON object is sent as is),
 * or nothing (answered `{"msg":"success"}`).
 */
export type LegacyCardActionResponse = CardJson

/** Constructors for callback responses; combine them with a spread: `{ ...toast(..), ...card(..) }`. */
export const CardResponse = {
  /** `{ toast }`: a short message shown to the user who acted. */
  toast: (type: Toast["type"], content: string, i18n?: I18nText): { readonly toast: Toast } => ({
    toast: i18n === undefined ? { type, content } : { type, content, i18n }
  }),
  /** `{ card }` with a card JSON, or a card built with `Card.make` (`lark-effect/cards`), sent as it is. */
  card: (data: CardJson): { readonly card: CardUpdate } => ({ card: { type: "raw", data } }),
  /** `{ card }` with a card template and its variables. */
  template: (
    templateId: string,
    variables?: Readonly<Record<string, unknown>>,
    versionName?: string
  ): { readonly card: CardUpdate } => ({
    card: {
      type: "template",
      data: {
        template_id: templateId,
        ...(variables === undefined ? {} : { template_variable: variables }),
        ...(versionName === undefined ? {} : { template_version_name: versionName })
      }
    }
  })
} as const
