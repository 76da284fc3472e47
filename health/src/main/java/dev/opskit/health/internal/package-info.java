/** Implementation details of {@code dev.opskit.health}; not an API, may change without notice. */
@NullMarked
package dev.opskit.health.internal;

import org.jspecify.annotations.NullMarked;
