/**
 * Cards: typed builders for card JSON 2.0 (`Card`), the checks the platform makes on them
 * (`Card.validate`, failing with `LarkCardError`), and interactive messages in one call (`Cards.send`,
 * `Cards.reply`, `Cards.update`). A callback answers with a built card through `CardResponse.card(card)`.
 */
export * as Card from "./Card.js"
export * as Cards from "./Cards.js"
export { LarkCardError } from "./validate.js"
