/** Internal to opskit-deadletter: not API, may change in any release. */
package dev.opskit.deadletter.internal;
