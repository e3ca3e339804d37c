/**
 * The shapes of a card JSON 2.0 (Feishu "卡片 JSON 2.0 结构"): fields are named as on the wire, so a built
 * card is the JSON the platform takes (`JSON.stringify` it into an interactive message's `content`).
 *
 * The element union covers the common components; any other component goes in as a {@link RawElement}
 * (`{ tag, ...fields }`), which the validator still walks.
 */

/** Plain text, and Feishu's markdown dialect for text fields (`lark_md`). */
export interface PlainText {
  readonly tag: "plain_text"
  readonly content: string
  /** Text by locale, e.g. `{ en_us: "...", zh_cn: "..." }`. */
  readonly i18n_content?: Readonly<Record<string, string>> | undefined
}

export interface LarkMd {
  readonly tag: "lark_md"
  readonly content: string
}

export type Text = PlainText | LarkMd

/** The header colours. */
export type HeaderTemplate =
  | "blue"
  | "wathet"
  | "turquoise"
  | "green"
  | "yellow"
  | "orange"
  | "red"
  | "carmine"
  | "violet"
  | "purple"
  | "indigo"
  | "grey"
  | "default"

/** A standard icon (`token`, `color`) or an uploaded one (`img_key`). */
export interface Icon {
  readonly tag: "standard_icon" | "custom_icon"
  readonly token?: string | undefined
  readonly color?: string | undefined
  readonly img_key?: string | undefined
}

/** A tag after the header title (at most 3 are shown). */
export interface TextTag {
  readonly tag: "text_tag"
  readonly text: PlainText
  readonly color?: string | undefined
  readonly element_id?: string | undefined
}

export interface Header {
  readonly title: Text
  readonly subtitle?: Text | undefined
  readonly template?: HeaderTemplate | undefined
  readonly icon?: Icon | undefined
  readonly text_tag_list?: ReadonlyArray<TextTag> | undefined
  readonly padding?: string | undefined
}

/** What every component may carry. */
export interface Common {
  /** Letters, digits and `_`, starting with a letter, at most 20 characters, unique in the card. */
  readonly element_id?: string | undefined
  /** Outer margin, `[-99,99]px`. */
  readonly margin?: string | undefined
}

export interface Markdown extends Common {
  readonly tag: "markdown"
  readonly content: string
  readonly text_align?: "left" | "center" | "right" | undefined
  readonly text_size?: string | undefined
  readonly icon?: Icon | undefined
  readonly i18n_content?: Readonly<Record<string, string>> | undefined
}

/** A text block (`plain_text` or `lark_md`). */
export interface Div extends Common {
  readonly tag: "div"
  readonly text: Text
  readonly icon?: Icon | undefined
}

/** A divider. */
export interface Hr extends Common {
  readonly tag: "hr"
}

export interface Img extends Common {
  readonly tag: "img"
  readonly img_key: string
  readonly alt: PlainText
  readonly title?: Text | undefined
  readonly mode?: "crop_center" | "fit_horizontal" | "stretch" | "large" | "medium" | "small" | "tiny" | undefined
  readonly preview?: boolean | undefined
  readonly scale_type?: "crop_center" | "fit_horizontal" | "crop_top" | undefined
  readonly size?: string | undefined
  readonly corner_radius?: string | undefined
  readonly transparent?: boolean | undefined
}

/** Sends `value` back in a `card.action.trigger` callback (`event.action.value`). */
export interface CallbackBehavior {
  readonly type: "callback"
  readonly value: unknown
}

/** Opens a link; the per-platform URLs win over `default_url` where given. */
export interface OpenUrlBehavior {
  readonly type: "open_url"
  readonly default_url: string
  readonly pc_url?: string | undefined
  readonly ios_url?: string | undefined
  readonly android_url?: string | undefined
}

export type Behavior = CallbackBehavior | OpenUrlBehavior

/** A confirmation dialog shown before the action. */
export interface Confirm {
  readonly title: PlainText
  readonly text: PlainText
}

export type ButtonType =
  | "default"
  | "primary"
  | "danger"
  | "text"
  | "primary_text"
  | "danger_text"
  | "primary_filled"
  | "danger_filled"
  | "laser"

export interface Button extends Common {
  readonly tag: "button"
  readonly text: PlainText
  readonly type?: ButtonType | undefined
  readonly size?: "tiny" | "small" | "medium" | "large" | undefined
  /** `default`, `fill` or a width like `120px`. */
  readonly width?: string | undefined
  readonly icon?: Icon | undefined
  readonly hover_tips?: PlainText | undefined
  readonly disabled?: boolean | undefined
  readonly disabled_tips?: PlainText | undefined
  readonly confirm?: Confirm | undefined
  readonly behaviors?: ReadonlyArray<Behavior> | undefined
  /** The button's name inside a form (which button submitted it). */
  readonly name?: string | undefined
  /** Submits or resets the form the button is in; only valid inside a form. */
  readonly form_action_type?: "submit" | "reset" | undefined
}

/** Layout fields shared by the body and the containers. */
export interface Layout {
  readonly direction?: "vertical" | "horizontal" | undefined
  readonly padding?: string | undefined
  readonly horizontal_spacing?: string | undefined
  readonly horizontal_align?: "left" | "center" | "right" | undefined
  readonly vertical_spacing?: string | undefined
  readonly vertical_align?: "top" | "center" | "bottom" | undefined
}

export interface Column extends Common, Layout {
  readonly tag: "column"
  readonly elements: ReadonlyArray<Element>
  /** `auto`, `weighted` (with `weight`) or a width like `120px`. */
  readonly width?: string | undefined
  readonly weight?: number | undefined
  readonly background_style?: string | undefined
}

export interface ColumnSet extends Common {
  readonly tag: "column_set"
  readonly columns: ReadonlyArray<Column>
  readonly flex_mode?: "none" | "stretch" | "flow" | "bisect" | "trisect" | undefined
  readonly horizontal_spacing?: string | undefined
  readonly horizontal_align?: "left" | "center" | "right" | undefined
  readonly background_style?: string | undefined
}

/** A form: its fields' values come back together, by name, when a submit button in it is pressed. */
export interface Form extends Common, Layout {
  readonly tag: "form"
  /** Unique in the card. */
  readonly name: string
  readonly elements: ReadonlyArray<Element>
}

export interface Input extends Common {
  readonly tag: "input"
  /** The key of the value in the submitted `form_value`; unique in its form. */
  readonly name: string
  readonly placeholder?: PlainText | undefined
  readonly default_value?: string | undefined
  readonly required?: boolean | undefined
  readonly disabled?: boolean | undefined
  readonly label?: PlainText | undefined
  readonly label_position?: "top" | "left" | undefined
  readonly input_type?: "text" | "multiline_text" | "password" | undefined
  readonly max_length?: number | undefined
  readonly rows?: number | undefined
  readonly width?: string | undefined
  readonly behaviors?: ReadonlyArray<Behavior> | undefined
}

export interface SelectOption {
  readonly text: PlainText
  readonly value: string
  readonly icon?: Icon | undefined
}

export interface SelectStatic extends Common {
  readonly tag: "select_static"
  /** The key of the choice in the submitted `form_value` (required inside a form). */
  readonly name?: string | undefined
  readonly placeholder?: PlainText | undefined
  readonly options: ReadonlyArray<SelectOption>
  readonly initial_option?: string | undefined
  readonly required?: boolean | undefined
  readonly disabled?: boolean | undefined
  readonly type?: "default" | "text" | undefined
  readonly width?: string | undefined
  readonly behaviors?: ReadonlyArray<Behavior> | undefined
  readonly confirm?: Confirm | undefined
}

export interface CollapsiblePanel extends Common, Layout {
  readonly tag: "collapsible_panel"
  readonly expanded?: boolean | undefined
  readonly header: {
    readonly title: PlainText | { readonly tag: "markdown"; readonly content: string }
    readonly background_color?: string | undefined
    readonly icon?: Icon | undefined
    readonly icon_position?: "left" | "right" | "follow_text" | undefined
    readonly icon_expanded_angle?: number | undefined
    readonly vertical_align?: "top" | "center" | "bottom" | undefined
    readonly padding?: string | undefined
  }
  readonly border?: { readonly color?: string | undefined; readonly corner_radius?: string | undefined } | undefined
  readonly background_color?: string | undefined
  readonly elements: ReadonlyArray<Element>
}

/** Any other component (`table`, `chart`, `person`, `date_picker`, ...), as its JSON. */
export interface RawElement {
  readonly tag: string
  readonly [field: string]: unknown
}

export type Element =
  | Markdown
  | Div
  | Hr
  | Img
  | Button
  | ColumnSet
  | Form
  | Input
  | SelectStatic
  | CollapsiblePanel
  | RawElement

export interface Config {
  readonly streaming_mode?: boolean | undefined
  readonly streaming_config?: Readonly<Record<string, unknown>> | undefined
  /** The preview text in the chat list. */
  readonly summary?: { readonly content?: string | undefined; readonly i18n_content?: Readonly<Record<string, string>> | undefined } | undefined
  readonly locales?: ReadonlyArray<string> | undefined
  readonly enable_forward?: boolean | undefined
  /** JSON 2.0 cards are shared cards: only `true` is accepted. */
  readonly update_multi?: true | undefined
  readonly width_mode?: "default" | "compact" | "fill" | undefined
  readonly use_custom_translation?: boolean | undefined
  readonly enable_forward_interaction?: boolean | undefined
  readonly style?: Readonly<Record<string, unknown>> | undefined
}

/** Where a click on the card leads: `url`, or all three per-platform URLs. */
export interface CardLink {
  readonly url?: string | undefined
  readonly pc_url?: string | undefined
  readonly ios_url?: string | undefined
  readonly android_url?: string | undefined
}

export interface Body extends Layout {
  readonly elements: ReadonlyArray<Element>
}

/** A card JSON 2.0. */
export interface Card {
  readonly schema: "2.0"
  readonly config?: Config | undefined
  readonly card_link?: CardLink | undefined
  readonly header?: Header | undefined
  readonly body: Body
}

/** A card built in the card builder tool, by id, with its variables (what node-sdk's `*ByCard` send). */
export interface CardTemplate {
  readonly type: "template"
  readonly data: {
    readonly template_id: string
    readonly template_variable?: Readonly<Record<string, unknown>> | undefined
    readonly template_version_name?: string | undefined
  }
}
