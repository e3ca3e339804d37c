/**
 * The checks the platform makes on a card JSON 2.0, made before anything is sent (the fake Open Platform
 * makes them too). What the platform's documents state:
 *
 * - `element_id` (of components and of text elements): letters, digits and `_`, starting with a letter, at
 *   most 20 characters, unique in the card;
 * - a form sits directly in `body.elements`, holds no form, table or chart, and its name is unique in the
 *   card; the components whose values it submits carry a `name`, unique in the form;
 * - a button's `form_action_type` (submit / reset) works only inside a form;
 * - at most 200 elements and components (every object with a `tag`, `plain_text` texts included);
 * - the 1.0 components `action` and `note` are gone from 2.0 (error 200861).
 */
import * as Schema from "effect/Schema"
import { fail as failed, Literals, type Outcome, succeed } from "../internal/dialect.js"
import type { Card } from "./model.js"

/** A card the platform would refuse, with where (`body.elements[1].elements[0]`) and why. */
export class LarkCardError extends Schema.TaggedError<LarkCardError>()("LarkCardError", {
  reason: Literals(
    "Structure",
    "ElementId",
    "DuplicateElementId",
    "FormPlacement",
    "FormName",
    "FieldName",
    "FormActionOutsideForm",
    "UnsupportedTag",
    "TooManyElements"
  ),
  path: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `invalid card at ${this.path}: ${this.detail}`
  }
}

/** The most elements and components one card may hold. */
export const MAX_ELEMENTS = 200

const ELEMENT_ID = /^[A-Za-z][A-Za-z0-9_]{0,19}$/
const REMOVED_IN_2_0 = new Set(["action", "note"])
const NOT_IN_FORM = new Set(["form", "table", "chart"])
// The components whose values a form submits, keyed by their `name`.
const FIELDS = new Set([
  "input",
  "select_static",
  "multi_select_static",
  "select_person",
  "multi_select_person",
  "select_img",
  "date_picker",
  "picker_time",
  "picker_datetime",
  "checker"
])

type Reason = LarkCardError["reason"]
const fail = (reason: Reason, path: string, detail: string) => new LarkCardError({ reason, path, detail })

/** Where an element sits: directly in the body, and in which form (the names used there so far). */
interface Scope {
  readonly atRoot: boolean
  readonly formFields: Set<string> | undefined
}

/** A JSON object: not `null`, not an array (`Predicate.isRecord` on Effect 3, `Predicate.isObject` on Effect 4). */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== ""

/** The form rules and removed tags, for the components of `elements` / `columns` lists. */
const checkElement = (value: unknown, path: string, scope: Scope, formNames: Set<string>): LarkCardError | undefined => {
  if (!isRecord(value) || typeof value["tag"] !== "string") {
    return fail("Structure", path, "an element is an object with a string `tag`")
  }
  const tag = value["tag"]
  if (REMOVED_IN_2_0.has(tag)) return fail("UnsupportedTag", path, `\`${tag}\` is not a card JSON 2.0 component`)
  const inForm = scope.formFields !== undefined
  if (tag === "form") {
    if (!scope.atRoot) return fail("FormPlacement", path, "a form can only sit directly in body.elements")
    const name = value["name"]
    if (!nonEmptyString(name)) return fail("FormName", path, "a form needs a name")
    if (formNames.has(name)) return fail("FormName", path, `form name "${name}" is used twice`)
    formNames.add(name)
  } else if (inForm && NOT_IN_FORM.has(tag)) {
    return fail("FormPlacement", path, `a form cannot hold a ${tag}`)
  }
  const formAction = value["form_action_type"]
  if (formAction !== undefined && !inForm) {
    return fail("FormActionOutsideForm", path, `form_action_type "${String(formAction)}" only works inside a form`)
  }
  if (inForm && tag !== "form") {
    const name = value["name"]
    if ((FIELDS.has(tag) || formAction !== undefined) && !nonEmptyString(name)) {
      return fail("FieldName", path, `a ${tag} in a form needs a name`)
    }
    if (nonEmptyString(name)) {
      if (scope.formFields.has(name)) return fail("FieldName", path, `name "${name}" is used twice in the form`)
      scope.formFields.add(name)
    }
  }
  const inner: Scope = { atRoot: false, formFields: tag === "form" ? new Set() : scope.formFields }
  for (const key of ["elements", "columns"]) {
    // a table's `columns` are column definitions (name, data type), not components
    if (key === "columns" && tag === "table") continue
    const children = value[key]
    if (!Array.isArray(children)) continue
    for (const [index, child] of children.entries()) {
      const error = checkElement(child, `${path}.${key}[${index}]`, inner, formNames)
      if (error !== undefined) return error
    }
  }
  return undefined
}

/** Fields that hold the app's own data, never components: callback values, a table's rows. */
const isData = (key: string, tag: unknown) => key === "behaviors" || (key === "rows" && tag === "table")

/**
 * Every element and component in `value` (each object with a string `tag`, at any depth) with its path; not
 * inside the app's own data (`isData`), where a `tag` key is just a value.
 */
const tagged = function*(value: unknown, path: string): Generator<readonly [Record<string, unknown>, string]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* tagged(item, `${path}[${index}]`)
  } else if (isRecord(value)) {
    const tag = value["tag"]
    if (typeof tag === "string") yield [value, path]
    for (const [key, field] of Object.entries(value)) if (!isData(key, tag)) yield* tagged(field, `${path}.${key}`)
  }
}

/** `element_id`s (of components and of text elements alike) are well formed and unique; at most 200 elements. */
const checkIdsAndCount = (elements: ReadonlyArray<unknown>): LarkCardError | undefined => {
  const ids = new Set<string>()
  let count = 0
  for (const [element, path] of tagged(elements, "body.elements")) {
    count++
    const id = element["element_id"]
    if (id === undefined) continue
    if (typeof id !== "string" || !ELEMENT_ID.test(id)) {
      return fail("ElementId", path, `element_id ${JSON.stringify(id)} must be letters, digits and _, start with a letter, at most 20 characters`)
    }
    if (ids.has(id)) return fail("DuplicateElementId", path, `element_id "${id}" is used twice`)
    ids.add(id)
  }
  return count > MAX_ELEMENTS ? fail("TooManyElements", "body.elements", `${count} elements and components, at most ${MAX_ELEMENTS}`) : undefined
}

/**
 * Checks a card JSON 2.0 (any JSON value: a built card, or one parsed from a message) against what the
 * platform refuses; the first problem found is the error.
 */
export const validate = (card: unknown): Outcome<Card, LarkCardError> => {
  if (!isRecord(card) || card["schema"] !== "2.0") return failed(fail("Structure", "schema", "a card JSON 2.0 has schema \"2.0\""))
  const body = card["body"]
  if (!isRecord(body) || !Array.isArray(body["elements"])) {
    return failed(fail("Structure", "body.elements", "body.elements must be an array"))
  }
  const formNames = new Set<string>()
  const root: Scope = { atRoot: true, formFields: undefined }
  for (const [index, element] of body["elements"].entries()) {
    const error = checkElement(element, `body.elements[${index}]`, root, formNames)
    if (error !== undefined) return failed(error)
  }
  const error = checkIdsAndCount(body["elements"])
  return error === undefined ? succeed(card as unknown as Card) : failed(error)
}
