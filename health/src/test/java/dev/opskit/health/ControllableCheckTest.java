package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.health.testing.ControllableCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllableCheckTest {

    @Test
    void answersWhatTheTestSetAndCountsItsRuns() throws Exception {
        ControllableCheck check = ControllableCheck.create();
        assertThat(check.check()).isEqualTo(HealthResult.up());
        assertThat(check.degraded("backlog").check().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(check.down("refused").check().errorMessage()).contains("refused");
        assertThat(check.up(Map.of("n", 1)).check().details()).containsEntry("n", 1);
        assertThat(check.returningNull().check()).isNull();
        assertThatThrownBy(check.throwing(new IOException("disk"))::check).isInstanceOf(IOException.class).hasMessage("disk");
        assertThat(check.invocations()).isEqualTo(6);
    }

    @Test
    void aSlowOrHeldCheckIsCutOffByTheRegistryTimeout() {
        ControllableCheck slow = ControllableCheck.create().slow(Duration.ofSeconds(30));
        ControllableCheck held = ControllableCheck.create().hold();
        try (HealthRegistry health = HealthRegistry.builder().deadlockCheck(false).build()) {
            CheckOptions quick = CheckOptions.readiness().timeout(Duration.ofMillis(100));
            health.register("slow", slow, quick).register("held", held, quick);

            HealthReport report = health.report(HealthGroup.READINESS, true);

            assertThat(report.check("slow").orElseThrow().timedOut()).isTrue();
            assertThat(report.check("held").orElseThrow().timedOut()).isTrue();
            held.release();
            Await.until("the interrupted runs ended", Duration.ofSeconds(30), () -> slow.inFlight() == 0 && held.inFlight() == 0);
        }
    }
}
