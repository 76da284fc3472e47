/** Helpers for application tests: {@link dev.opskit.health.testing.ControllableCheck}, a check steered by the test. */
@NullMarked
package dev.opskit.health.testing;

import org.jspecify.annotations.NullMarked;
