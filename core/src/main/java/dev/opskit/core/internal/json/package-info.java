/**
 * Internal, not API: the small JSON utility the opskit modules share. It may change or go away in
 * any release without notice; applications should use a JSON library of their own.
 *
 * <p>{@link dev.opskit.core.internal.json.JsonText} quotes strings, checks syntax (RFC 8259, and
 * what PostgreSQL's {@code jsonb} can store) with the position of the first problem and parses
 * text into plain Java values; {@link dev.opskit.core.internal.json.JsonWriter} writes JSON as a
 * stream of calls. No dependency, no reflection, no data binding.
 */
@NullMarked
package dev.opskit.core.internal.json;

import org.jspecify.annotations.NullMarked;
