/** {@code opskit jobs}: counts, one job, stuck jobs, cancelling, drains and schedules from the opskit command line. */
package dev.opskit.jobqueue.cli;
