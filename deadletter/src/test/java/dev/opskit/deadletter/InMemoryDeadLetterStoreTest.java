package dev.opskit.deadletter;

import dev.opskit.deadletter.testing.InMemoryDeadLetterStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

class InMemoryDeadLetterStoreTest extends DeadLetterStoreContract {
    @Override
    protected DeadLetterStore newStore(SimpleMeterRegistry registry) {
        return new InMemoryDeadLetterStore(Clock.systemUTC(), registry);
    }
}
