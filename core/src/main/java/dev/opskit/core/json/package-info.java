/**
 * A small JSON utility for opskit modules and for applications that need no JSON library:
 * {@link dev.opskit.core.json.JsonText} quotes strings, checks syntax (RFC 8259) with the position of
 * the first problem and parses text into plain Java values; {@link dev.opskit.core.json.JsonWriter}
 * writes JSON as a stream of calls. No dependency, no reflection, no data binding: applications
 * that need more should use a real JSON library.
 */
package dev.opskit.core.json;
