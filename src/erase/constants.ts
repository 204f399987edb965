/** The value every erased field gets unless a rule says otherwise (the Powertools default). */
export const DEFAULT_MASK = '*****';

/** The same value under the name Powertools exports it as. */
export const DEFAULT_MASK_VALUE = DEFAULT_MASK;

/** Marks a node for removal (the `remove` rule). */
export const REMOVE: unique symbol = Symbol('remove');
