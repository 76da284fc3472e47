/** Implementation details of {@code dev.opskit.health}; not an API, may change without notice. */
package dev.opskit.health.internal;
