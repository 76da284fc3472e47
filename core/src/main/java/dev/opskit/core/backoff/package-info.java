/** Retry delays: {@code Backoff}, exponential with full jitter and a cap, fixed, or a function of your own. */
package dev.opskit.core.backoff;
