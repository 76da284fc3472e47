/**
 * Internal to opskit-jobqueue (the SQL of the queue, the outcome policy shared by the real queue and
 * the fake, dead-letter hand-over, the metrics recorder): not API, may change in any release.
 */
@NullMarked
package dev.opskit.jobqueue.internal;

import org.jspecify.annotations.NullMarked;
