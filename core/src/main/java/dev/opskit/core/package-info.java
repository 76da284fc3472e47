/**
 * What every opskit module shares at the root: {@code OpsKitException}, the root of every exception
 * opskit throws on purpose, and {@code RetryAfter}, the signal that work should simply be tried
 * again later (a breaker open, a quota exhausted) without counting as a failure.
 */
@NullMarked
package dev.opskit.core;

import org.jspecify.annotations.NullMarked;
