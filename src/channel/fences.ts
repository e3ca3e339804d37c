/**
 * Markdown code fences as the channel finds them when it cuts text (`chunk.ts` for messages,
 * `streamReply.ts` for cards): a line of three or more backticks or tildes (up to three spaces before it,
 * then an info string such as `ts`), closed by a line of at least as many of the same character.
 *
 * @internal (not exported by the package)
 */

/** An opening fence line: the marker (group 1) and the info string (group 2). */
export const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/

/** Whether `line` closes a fence opened with `marker`. */
export const closesFence = (line: string, marker: string): boolean => {
  const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)
  return m !== null && m[1]![0] === marker[0] && m[1]!.length >= marker.length
}
