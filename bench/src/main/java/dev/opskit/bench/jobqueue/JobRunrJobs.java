package dev.opskit.bench.jobqueue;

import java.util.concurrent.atomic.AtomicInteger;

/** The job methods JobRunr runs (it serialises a call to a public static method). */
public final class JobRunrJobs {
    static final AtomicInteger DONE = new AtomicInteger();
    static volatile long[] samples = new long[0];
    static volatile int warmup;

    private JobRunrJobs() {
    }

    public static void noop() {
        DONE.incrementAndGet();
    }

    public static void noop(Integer i) {
        DONE.incrementAndGet();
    }

    public static void timed(Integer n, Long enqueuedMicros) {
        long now = Bench.nowMicros();
        int i = n - warmup;
        long[] s = samples;
        if (i >= 0 && i < s.length) {
            s[i] = now - enqueuedMicros;
        }
        DONE.incrementAndGet();
    }
}
