package dev.opskit.deadletter;

import dev.opskit.deadletter.testing.InMemoryDeadLetterStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

class InMemoryDeadLetterStoreTest extends DeadLetterStoreContract {
    @Override
    protected DeadLetterStore newStore(SimpleMeterRegistry registry) {
        InMemoryDeadLetterStore store = new InMemoryDeadLetterStore(Clock.systemUTC());
        new DeadLetterMetrics(store).bindTo(registry);
        return store;
    }
}
