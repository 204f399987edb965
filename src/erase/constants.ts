/** The value every erased field gets unless a rule says otherwise (the Powertools default). */
export const DEFAULT_MASK = '*****';

/** Marks a node for removal (the `remove` rule). */
export const REMOVE: unique symbol = Symbol('remove');
