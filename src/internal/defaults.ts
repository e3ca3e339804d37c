/**
 * `defaults` with the settings of `options` that are given. A spread (`{ ...defaults, ...options }`) would let
 * an `undefined` (`{ allowFrom: undefined }`, which `Partial` allows) replace the default with nothing.
 */
export const withDefaults = <A extends object>(defaults: A, options: Partial<A> | undefined): A => ({
  ...defaults,
  // `fromEntries` defines the keys as own properties: a `__proto__` key from parsed JSON stays a key
  ...Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined))
})
