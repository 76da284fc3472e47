package dev.opskit.jobqueue;

import java.time.Duration;
import java.time.Instant;

/**
 * A graceful shutdown of a {@link Workers} runtime as stored in the schema's {@code drains} table:
 * the {@link DrainReport} of the worker {@code workerId}, kept after its process is gone.
 * Listed by {@link PostgresJobQueue#drains(Duration, int)} and {@code opskit jobs drains}.
 *
 * @param workerId the worker that shut down
 * @param finishedAt when its drain ended (database time)
 * @param clean {@link DrainReport#clean()}
 * @param finished {@link DrainReport#finished()}
 * @param handedBack {@link DrainReport#handedBack()}
 * @param interrupted {@link DrainReport#interrupted()}
 * @param took {@link DrainReport#took()}, to the millisecond
 */
public record DrainRecord(String workerId, Instant finishedAt, boolean clean, int finished, int handedBack, int interrupted,
                          Duration took) {
}
