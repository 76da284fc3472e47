/** Internal to opskit: the check of every string stored in PostgreSQL. Not API; may change in any release. */
@NullMarked
package dev.opskit.core.internal.text;

import org.jspecify.annotations.NullMarked;
