/** Helpers for application tests: {@link dev.opskit.health.testing.ControllableCheck}, a check steered by the test. */
package dev.opskit.health.testing;
