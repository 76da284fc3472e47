/** Retry delays: {@code Backoff}, exponential with full jitter and a cap, fixed, or a function of your own. */
@NullMarked
package dev.opskit.core.backoff;

import org.jspecify.annotations.NullMarked;
