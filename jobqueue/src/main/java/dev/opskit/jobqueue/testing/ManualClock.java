package dev.opskit.jobqueue.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A clock that moves only when told to, for scheduled jobs and retries in tests. Thread-safe. */
public final class ManualClock extends Clock {
    private volatile Instant now;

    /** A clock at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start must not be null");
    }

    /** Moves the clock forward. */
    public synchronized void advance(Duration d) {
        Objects.requireNonNull(d, "d must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward, but d was " + d);
        }
        now = now.plus(d);
    }

    /** Sets the time (forward or back). */
    public void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant must not be null");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
