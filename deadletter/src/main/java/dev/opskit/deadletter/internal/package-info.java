/** Internal to opskit-deadletter: not API, may change in any release. */
@NullMarked
package dev.opskit.deadletter.internal;

import org.jspecify.annotations.NullMarked;
