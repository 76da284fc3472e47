/** {@code opskit jobs}: counts, one job, stuck jobs, cancelling, drains and schedules from the opskit command line. */
@NullMarked
package dev.opskit.jobqueue.cli;

import org.jspecify.annotations.NullMarked;
