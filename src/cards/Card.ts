/**
 * Typed builders for card JSON 2.0. Each returns the component's JSON as the platform takes it (fields
 * named as on the wire, options spread in as given), so `JSON.stringify(Card.make(...))` is an interactive
 * message's `content`:
 *
 * ```ts
 * const card = Card.make({
 *   header: Card.header("Deploy", { template: "green" }),
 *   elements: [Card.markdown("**ready**"), Card.button("Ship it", { type: "primary", onClick: Card.callback({ ship: true }) })]
 * })
 * ```
 *
 * Strings stand for `plain_text` wherever the platform takes a text object. `validate` checks what the
 * platform refuses (see `validate.ts`); `Cards.send` / `reply` / `update` run it before sending.
 */
import type * as M from "./model.js"

export type {
  Behavior,
  Body,
  Button,
  CallbackBehavior,
  Card,
  CardLink,
  CardTemplate,
  CollapsiblePanel,
  Column,
  ColumnSet,
  Config,
  Div,
  Element,
  Form,
  Header,
  HeaderTemplate,
  Hr,
  Img,
  Input,
  LarkMd,
  Markdown,
  OpenUrlBehavior,
  PlainText,
  RawElement,
  SelectOption,
  SelectStatic,
  Text
} from "./model.js"
export { LarkCardError, MAX_ELEMENTS, validate } from "./validate.js"

/** A text field: a string is `plain_text`. */
export type TextLike = string | M.Text

/** The fields of a component besides its tag and what the constructor takes positionally. */
type Options<A, Positional extends keyof A> = Omit<A, "tag" | Positional>

/** Drops the keys whose value is `undefined`, so that the JSON has only what was given. */
const defined = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

export const plainText = (content: string): M.PlainText => ({ tag: "plain_text", content })

export const larkMd = (content: string): M.LarkMd => ({ tag: "lark_md", content })

const text = (value: TextLike): M.Text => (typeof value === "string" ? plainText(value) : value)
const plain = (value: string | M.PlainText): M.PlainText => (typeof value === "string" ? plainText(value) : value)
const plainIfGiven = (value: string | M.PlainText | undefined) => (value === undefined ? undefined : plain(value))

/** The card header: a title, and a colour (`template`), subtitle, icon, tags. */
export const header = (
  title: TextLike,
  options: Omit<M.Header, "title" | "subtitle"> & { readonly subtitle?: TextLike | undefined } = {}
): M.Header => defined({ ...options, title: text(title), subtitle: options.subtitle === undefined ? undefined : text(options.subtitle) })

export interface MakeOptions {
  readonly elements: ReadonlyArray<M.Element>
  /** A string is the title of a default header. */
  readonly header?: M.Header | string | undefined
  readonly config?: M.Config | undefined
  readonly card_link?: M.CardLink | undefined
  /** The body's layout (direction, padding, spacing, alignment). */
  readonly layout?: M.Layout | undefined
}

/** A card JSON 2.0 (not checked: see {@link validate}). */
export const make = (options: MakeOptions): M.Card =>
  defined({
    schema: "2.0" as const,
    config: options.config,
    card_link: options.card_link,
    header: typeof options.header === "string" ? header(options.header) : options.header,
    body: { ...options.layout, elements: options.elements }
  })

/**
 * What node-sdk's `messageCard.defaultCard({ title, content })` shows: a blue header with the title over a
 * markdown body. node-sdk returns the JSON text of a 1.0 card; this is the same card in JSON 2.0, as a value.
 */
export const defaultCard = (variables: { readonly title: string; readonly content: string }): M.Card =>
  make({ header: header(variables.title, { template: "blue" }), elements: [markdown(variables.content)] })

/** A card built in the card builder tool, with its variables: send it like a card (node-sdk's `*ByCard`). */
export const template = (
  templateId: string,
  variables?: Readonly<Record<string, unknown>>,
  versionName?: string
): M.CardTemplate => ({
  type: "template",
  data: defined({ template_id: templateId, template_variable: variables, template_version_name: versionName })
})

export const markdown = (content: string, options: Options<M.Markdown, "content"> = {}): M.Markdown =>
  defined({ tag: "markdown", content, ...options })

/** A text block; a string is plain text, `Card.larkMd(...)` the text markdown dialect. */
export const div = (content: TextLike, options: Options<M.Div, "text"> = {}): M.Div =>
  defined({ tag: "div", text: text(content), ...options })

export const divider = (options: Options<M.Hr, never> = {}): M.Hr => defined({ tag: "hr", ...options })

/** An uploaded image (`img_key` from `im.v1.image.create`) and its alternative text. */
export const image = (imgKey: string, alt: string | M.PlainText, options: Options<M.Img, "img_key" | "alt"> = {}): M.Img =>
  defined({ tag: "img", img_key: imgKey, alt: plain(alt), ...options })

/** Sends `value` to the app in a `card.action.trigger` callback (`event.action.value`). */
export const callback = (value: unknown): M.CallbackBehavior => ({ type: "callback", value })

/** Opens `url` (or the per-platform URLs where given). */
export const openUrl = (
  url: string,
  perPlatform: Omit<M.OpenUrlBehavior, "type" | "default_url"> = {}
): M.OpenUrlBehavior => defined({ type: "open_url", default_url: url, ...perPlatform })

export type ButtonOptions = Options<M.Button, "text" | "behaviors"> & {
  /** What a click does: becomes `behaviors`. */
  readonly onClick?: M.Behavior | ReadonlyArray<M.Behavior> | undefined
}

export const button = (label: string | M.PlainText, options: ButtonOptions = {}): M.Button => {
  const { onClick, ...rest } = options
  const behaviors = onClick === undefined ? undefined : Array.isArray(onClick) ? onClick : [onClick as M.Behavior]
  return defined({ tag: "button", text: plain(label), ...rest, behaviors })
}

/** A button that submits its form (`form_action_type: "submit"`); `name` tells which button it was. */
export const submit = (label: string | M.PlainText, name: string, options: Omit<ButtonOptions, "name" | "form_action_type"> = {}): M.Button =>
  button(label, { ...options, name, form_action_type: "submit" })

/** One column of a {@link columns} set. */
export const column = (elements: ReadonlyArray<M.Element>, options: Options<M.Column, "elements"> = {}): M.Column =>
  defined({ tag: "column", ...options, elements })

/** Columns side by side; an array of elements is a column of automatic width. */
export const columns = (
  items: ReadonlyArray<M.Column | ReadonlyArray<M.Element>>,
  options: Options<M.ColumnSet, "columns"> = {}
): M.ColumnSet =>
  defined({
    tag: "column_set",
    ...options,
    columns: items.map((item) => (Array.isArray(item) ? column(item as ReadonlyArray<M.Element>, { width: "auto" }) : item as M.Column))
  })

/** A form: put its fields and a {@link submit} button in `elements`. It must sit directly in the card body. */
export const form = (name: string, elements: ReadonlyArray<M.Element>, options: Options<M.Form, "name" | "elements"> = {}): M.Form =>
  defined({ tag: "form", name, ...options, elements })

export type InputOptions = Omit<Options<M.Input, "name">, "placeholder" | "label"> & {
  readonly placeholder?: string | M.PlainText | undefined
  readonly label?: string | M.PlainText | undefined
}

/** A text input; its value comes back under `name` in the submitted `form_value`. */
export const input = (name: string, options: InputOptions = {}): M.Input =>
  defined({ tag: "input", name, ...options, placeholder: plainIfGiven(options.placeholder), label: plainIfGiven(options.label) })

/** A choice: a string is both the shown text and the value. */
export type OptionLike = string | { readonly text: string | M.PlainText; readonly value: string }

export type SelectOptions = Omit<Options<M.SelectStatic, "name" | "options">, "placeholder"> & {
  readonly placeholder?: string | M.PlainText | undefined
}

/** A single-choice dropdown (`select_static`). */
export const select = (name: string, choices: ReadonlyArray<OptionLike>, options: SelectOptions = {}): M.SelectStatic =>
  defined({
    tag: "select_static",
    name,
    ...options,
    placeholder: plainIfGiven(options.placeholder),
    options: choices.map((choice) =>
      typeof choice === "string" ? { text: plainText(choice), value: choice } : { text: plain(choice.text), value: choice.value }
    )
  })

export type PanelOptions = Omit<Options<M.CollapsiblePanel, "elements">, "header"> & {
  /** Header fields besides the title. */
  readonly header?: Omit<M.CollapsiblePanel["header"], "title"> | undefined
}

/** A collapsible panel titled `title` (plain text), folded unless `expanded`. */
export const panel = (title: string | M.PlainText, elements: ReadonlyArray<M.Element>, options: PanelOptions = {}): M.CollapsiblePanel =>
  defined({ tag: "collapsible_panel", ...options, header: { ...options.header, title: plain(title) }, elements })
