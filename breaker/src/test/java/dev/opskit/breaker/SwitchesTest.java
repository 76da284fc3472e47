package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Operator switches: forced open and disabled, while the process runs. */
class SwitchesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final Map<String, String> env = new ConcurrentHashMap<>();

    private ProviderBreakers manual() {
        return ProviderBreakers.builder().presets().add(BreakerConfig.ofDefaults("send-grid"))
                .switchSource(SwitchSource.of(env)).switchRefreshInterval(Duration.ZERO).build();
    }

    @Test
    void forcedOpenRejectsEveryCallShowsAsForcedEverywhereAndRevertsWhenRemoved() throws Exception {
        try (ProviderBreakers breakers = manual()) {
            List<BreakerTransition> seen = new ArrayList<>();
            breakers.get("openai").onTransition(seen::add);
            env.put("OPENAI_CIRCUIT_OPEN", "true");
            breakers.refreshSwitches();

            ProviderBreaker openai = breakers.get("openai");
            assertThat(openai.state()).isEqualTo(BreakerState.FORCED_OPEN);
            AtomicBoolean called = new AtomicBoolean();
            assertThatThrownBy(() -> breakers.call("openai", TIMEOUT, () -> called.getAndSet(true)))
                    .isInstanceOfSatisfying(CallRejectedException.class, e -> {
                        assertThat(e.forced()).isTrue();
                        assertThat(e.retryAfter()).isEqualTo(BreakerConfig.openai().waitInOpenState());
                        assertThat(e.getMessage()).contains("forced open");
                    });
            assertThat(called).as("the provider was not called").isFalse();
            assertThat(breakers.get("stripe").state()).as("other breakers untouched").isEqualTo(BreakerState.CLOSED);

            BreakerSnapshot snap = breakers.snapshot().get(0);
            assertThat(snap.name()).isEqualTo("openai");
            assertThat(snap.state()).isEqualTo(BreakerState.FORCED_OPEN);
            assertThat(snap.forced()).isTrue();
            HealthResult health = breakers.healthChecks().get("openai").check();
            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(health.details()).containsEntry("state", "FORCED_OPEN").containsEntry("forced", true);
            assertThat(seen).singleElement().satisfies(t -> {
                assertThat(t.to()).isEqualTo(BreakerState.FORCED_OPEN);
                assertThat(t.cause()).isEqualTo("operator switch OPENAI_CIRCUIT_OPEN=true");
            });

            env.remove("OPENAI_CIRCUIT_OPEN");
            breakers.refreshSwitches();
            assertThat(openai.state()).isEqualTo(BreakerState.CLOSED);
            assertThat(breakers.call("openai", TIMEOUT, () -> "answer")).isEqualTo("answer");
            assertThat(seen.get(1).cause()).isEqualTo("operator switch OPENAI_CIRCUIT_OPEN removed");
            assertThat(breakers.healthChecks().get("openai").check().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void disabledLetsEveryCallThroughAndCountsNothing() throws Exception {
        try (ProviderBreakers breakers = manual()) {
            env.put("SEND_GRID_CIRCUIT_DISABLED", " TRUE ");
            breakers.refreshSwitches();
            ProviderBreaker b = breakers.get("send-grid");
            for (int i = 0; i < 50; i++) {
                assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
                    throw new IOException("down");
                })).isInstanceOf(ProviderCallException.class);
            }
            assertThat(b.state()).isEqualTo(BreakerState.DISABLED);
            assertThat(b.snapshot().forced()).isTrue();
            assertThat(breakers.healthChecks().get("send-grid").check().status()).isEqualTo(HealthStatus.UP);

            env.put("SEND_GRID_CIRCUIT_DISABLED", "false");
            breakers.refreshSwitches();
            assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
            assertThat(b.snapshot().failedCalls()).isZero();
        }
    }

    @Test
    void forcedOpenWinsOverDisabledAndNonsenseValuesAreIgnored() {
        try (ProviderBreakers breakers = manual()) {
            env.put("STRIPE_CIRCUIT_OPEN", "true");
            env.put("STRIPE_CIRCUIT_DISABLED", "true");
            env.put("EMAIL_CIRCUIT_OPEN", "yes please");
            breakers.refreshSwitches();
            assertThat(breakers.get("stripe").state()).isEqualTo(BreakerState.FORCED_OPEN);
            assertThat(breakers.get("email").state()).isEqualTo(BreakerState.CLOSED);
        }
    }

    @Test
    void aFailingSourceKeepsTheSwitchesAsTheyWere() {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        SwitchSource flaky = key -> {
            if (failure.get() != null) {
                throw failure.get();
            }
            return key.equals("OPENAI_CIRCUIT_OPEN") ? "true" : null;
        };
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets().switchSource(flaky)
                .switchRefreshInterval(Duration.ZERO).build()) {
            assertThat(breakers.get("openai").state()).as("applied when built").isEqualTo(BreakerState.FORCED_OPEN);
            failure.set(new IllegalStateException("config service unreachable"));
            breakers.refreshSwitches();
            assertThat(breakers.get("openai").state()).isEqualTo(BreakerState.FORCED_OPEN);
        }
    }

    @Test
    void theRefresherAppliesAndReleasesTheSwitchWhileCallsRun() throws Exception {
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets().switchSource(SwitchSource.of(env))
                .switchRefreshInterval(Duration.ofMillis(20)).build()) {
            ProviderBreaker stripe = breakers.get("stripe");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger succeeded = new AtomicInteger();
            AtomicInteger rejectedForced = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            stripe.callInline(TIMEOUT, () -> "charged");
                            succeeded.incrementAndGet();
                        } catch (CallRejectedException e) {
                            if (e.forced()) {
                                rejectedForced.incrementAndGet();
                            } else {
                                unexpected.compareAndSet(null, e);
                            }
                        } catch (Throwable e) {
                            unexpected.compareAndSet(null, e);
                        }
                        Thread.yield();
                    }
                });
                t.start();
                callers.add(t);
            }
            try {
                Await.until("calls succeed", () -> succeeded.get() > 100);
                env.put("STRIPE_CIRCUIT_OPEN", "true");
                Await.until("the switch rejects calls", () -> rejectedForced.get() > 100);
                assertThat(stripe.state()).isEqualTo(BreakerState.FORCED_OPEN);
                int before = succeeded.get();
                Thread.sleep(50);
                assertThat(succeeded.get()).as("no call gets through while forced open").isEqualTo(before);

                env.remove("STRIPE_CIRCUIT_OPEN");
                Await.until("calls succeed again", () -> succeeded.get() > before + 100);
                assertThat(stripe.state()).isEqualTo(BreakerState.CLOSED);
            } finally {
                stop.set(true);
                for (Thread t : callers) {
                    t.join(30_000);
                }
            }
            assertThat(unexpected.get()).isNull();
            assertThat(stripe.snapshot().failedCalls()).as("rejections are not failures").isZero();
        }
    }

    @Test
    void aSwitchFileFlipsABreakerOfARunningServiceAndReleasesItWhenTheLineGoes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("switches.env");
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets()
                .switchSource(SwitchSource.file(file).or(SwitchSource.of(env))).switchRefreshInterval(Duration.ZERO).build()) {
            breakers.refreshSwitches(); // no file yet: nothing forced
            assertThat(breakers.get("openai").state()).isEqualTo(BreakerState.CLOSED);

            java.nio.file.Files.writeString(file, "# flipped during the incident\nexport OPENAI_CIRCUIT_OPEN=\"true\"\nSTRIPE_CIRCUIT_DISABLED = true\n");
            breakers.refreshSwitches();
            assertThat(breakers.get("openai").state()).isEqualTo(BreakerState.FORCED_OPEN);
            assertThat(breakers.get("stripe").state()).isEqualTo(BreakerState.DISABLED);

            java.nio.file.Files.writeString(file, "STRIPE_CIRCUIT_DISABLED=true\n# OPENAI_CIRCUIT_OPEN=true\n");
            java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            breakers.refreshSwitches();
            assertThat(breakers.get("openai").state()).isEqualTo(BreakerState.CLOSED);

            java.nio.file.Files.delete(file);
            breakers.refreshSwitches();
            assertThat(breakers.get("stripe").state()).isEqualTo(BreakerState.CLOSED);
        }
    }
}
