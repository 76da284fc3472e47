/**
 * Internal, not API: the console's request handling, queries, authorisation and static files. May
 * change in any release.
 */
@NullMarked
package dev.opskit.console.internal;

import org.jspecify.annotations.NullMarked;
