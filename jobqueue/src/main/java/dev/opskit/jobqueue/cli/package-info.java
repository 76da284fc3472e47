/** {@code opskit jobs}: counts, one job, stuck jobs and cancelling from the opskit command line. */
package dev.opskit.jobqueue.cli;
