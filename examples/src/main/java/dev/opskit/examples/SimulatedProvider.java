package dev.opskit.examples;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an external provider (an e-mail API, OpenAI): answers after a short latency, or
 * fails like a provider that is down, as the demo endpoints decide.
 */
final class SimulatedProvider {
    /** How the provider behaves right now. */
    enum Mode {
        /** Answers normally. */
        HEALTHY,
        /** Every call fails with an I/O error, as when the provider is unreachable. */
        DOWN,
        /** Every call answers HTTP 503. */
        ERROR_503
    }

    private final String name;
    private final Duration latency;
    private volatile Mode mode = Mode.HEALTHY;
    private final AtomicLong calls = new AtomicLong();

    SimulatedProvider(String name, Duration latency) {
        this.name = name;
        this.latency = latency;
    }

    String name() {
        return name;
    }

    Mode mode() {
        return mode;
    }

    void set(Mode newMode) {
        mode = newMode;
    }

    long calls() {
        return calls.get();
    }

    /**
     * One call to the provider.
     *
     * @return the HTTP status the provider answered (200 or 503)
     * @throws IOException when the provider is {@link Mode#DOWN}
     */
    int call(String request) throws IOException, InterruptedException {
        calls.incrementAndGet();
        Thread.sleep(latency.toMillis());
        return switch (mode) {
            case HEALTHY -> 200;
            case ERROR_503 -> 503;
            case DOWN -> throw new IOException(name + " is unreachable (simulated outage) for request " + request);
        };
    }
}
