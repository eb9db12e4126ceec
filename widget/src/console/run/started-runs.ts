/**
 * Runs this console started (Run again, the builder's Run now) in this page's life: the API knows
 * their id before a worker starts them, so for these "not found" means "not started yet".
 */
export const startedHere = new Set<string>();
