package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DeadLetterStore} must have. The PostgreSQL store and the in-memory
 * fake each extend this class.
 */
abstract class DeadLetterStoreContract {
    protected SimpleMeterRegistry registry;
    protected DeadLetterStore store;

    /** A fresh, empty store publishing metrics on {@code registry}. */
    protected abstract DeadLetterStore newStore(SimpleMeterRegistry registry);

    @BeforeEach
    void freshStore() {
        registry = new SimpleMeterRegistry();
        store = newStore(registry);
    }

    static NewDeadLetter.Builder letter(String source) {
        return NewDeadLetter.builder(source, "send-email").payload("{\"to\":\"a@example.com\"}");
    }

    static Instant ago(Duration d) {
        return Instant.now().minus(d).truncatedTo(ChronoUnit.MILLIS);
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aLetterAddedOnItsOwnIsReadBackWithEveryField() {
        Instant first = ago(Duration.ofHours(2));
        Instant last = ago(Duration.ofHours(1));
        long id = store.add(NewDeadLetter.builder("jobqueue:emails", "send-welcome-email")
                .payload("{\"userId\": 42, \"tags\": [\"a\", \"ü\"]}")
                .header("jobId", "1234").header("trace", "abc")
                .idempotencyKey("welcome-42")
                .error(new IllegalStateException("smtp said no", new java.io.IOException("connection reset")))
                .attempts(25)
                .firstFailedAt(first).lastFailedAt(last)
                .reason(DeadLetterReason.MAX_ATTEMPTS, "25 of 25 attempts failed")
                .replayOf(7L)
                .build());

        DeadLetter l = store.get(id).orElseThrow();
        assertThat(l.id()).isEqualTo(id);
        assertThat(l.source()).isEqualTo("jobqueue:emails");
        assertThat(l.kind()).isEqualTo("send-welcome-email");
        assertThat(l.payload()).contains("\"userId\"").contains("42").contains("ü");
        assertThat(l.headers()).containsExactlyInAnyOrderEntriesOf(Map.of("jobId", "1234", "trace", "abc"));
        assertThat(l.idempotencyKey()).isEqualTo("welcome-42");
        assertThat(l.errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(l.causeType()).isEqualTo("java.io.IOException");
        assertThat(l.message()).isEqualTo("smtp said no");
        assertThat(l.stackTrace()).contains("IllegalStateException: smtp said no").contains("Caused by: java.io.IOException");
        assertThat(l.attempts()).isEqualTo(25);
        assertThat(l.firstFailedAt()).isEqualTo(first);
        assertThat(l.lastFailedAt()).isEqualTo(last);
        assertThat(l.diedAt()).isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(120));
        assertThat(l.reason()).isEqualTo(DeadLetterReason.MAX_ATTEMPTS);
        assertThat(l.reasonDetail()).isEqualTo("25 of 25 attempts failed");
        assertThat(l.replayOf()).isEqualTo(7L);
        assertThat(l.status()).isEqualTo(DeadLetterStatus.DEAD);
        assertThat(l.replayCount()).isZero();
        assertThat(l.lastReplayedAt()).isNull();
        assertThat(counter(DeadLetterMetrics.ADDED, "source", "jobqueue:emails", "reason", "max_attempts")).isEqualTo(1);
    }

    @Test
    void getOfAnUnknownIdIsEmpty() {
        assertThat(store.get(987_654)).isEmpty();
    }

    @Test
    void ids_increase_in_insertion_order() {
        long a = store.add(letter("s:1").build());
        long b = store.add(letter("s:1").build());
        assertThat(b).isGreaterThan(a);
    }

    @Test
    void listFiltersBySourceKindReasonStatusAndTime() {
        long old = store.add(letter("webhook:stripe").diedAt(ago(Duration.ofDays(3))).reason(DeadLetterReason.NON_RETRYABLE).build());
        long emails = store.add(letter("jobqueue:emails").build());
        long sms = store.add(NewDeadLetter.builder("jobqueue:sms", "send-sms").reason(DeadLetterReason.NO_HANDLER).build());
        store.registerReplayTarget("jobqueue:*", (tx, l) -> null);
        store.replay(sms);

        assertThat(ids(DeadLetterQuery.builder().build())).containsExactly(old, emails);
        assertThat(ids(DeadLetterQuery.builder().anyStatus().build())).containsExactly(old, emails, sms);
        assertThat(ids(DeadLetterQuery.builder().status(DeadLetterStatus.REPLAYED).build())).containsExactly(sms);
        assertThat(ids(DeadLetterQuery.builder().source("jobqueue:emails").build())).containsExactly(emails);
        assertThat(ids(DeadLetterQuery.builder().source("jobqueue:*").anyStatus().build())).containsExactly(emails, sms);
        assertThat(ids(DeadLetterQuery.builder().kind("send-sms").anyStatus().build())).containsExactly(sms);
        assertThat(ids(DeadLetterQuery.builder().reason(DeadLetterReason.NON_RETRYABLE).build())).containsExactly(old);
        assertThat(ids(DeadLetterQuery.builder().diedBefore(ago(Duration.ofDays(1))).build())).containsExactly(old);
        assertThat(ids(DeadLetterQuery.builder().diedFrom(ago(Duration.ofDays(1))).build())).containsExactly(emails);
        assertThat(store.count(DeadLetterQuery.builder().source("jobqueue:*").anyStatus().build())).isEqualTo(2);
    }

    @Test
    void keysetPaginationVisitsEveryLetterOnceInIdOrder() {
        List<Long> added = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            added.add(store.add(letter(i % 2 == 0 ? "a:x" : "b:x").build()));
        }
        List<Long> seen = new ArrayList<>();
        DeadLetterQuery q = DeadLetterQuery.builder().limit(5).build();
        int pages = 0;
        while (true) {
            DeadLetterPage page = store.list(q);
            pages++;
            page.letters().forEach(l -> seen.add(l.id()));
            if (page.nextAfterId().isEmpty()) {
                break;
            }
            q = q.after(page.nextAfterId().getAsLong());
        }
        assertThat(seen).containsExactlyElementsOf(added);
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void statsCountWaitingAndReplayedPerSource() {
        store.add(letter("b:x").build());
        store.add(letter("b:x").build());
        long r = store.add(letter("a:x").diedAt(ago(Duration.ofHours(5))).build());
        store.add(letter("a:x").build());
        store.registerReplayTarget("a:x", (tx, l) -> null);
        store.replay(r);

        List<SourceStats> stats = store.stats();
        assertThat(stats).extracting(SourceStats::source).containsExactly("a:x", "b:x");
        assertThat(stats.get(0).waiting()).isEqualTo(1);
        assertThat(stats.get(0).replayed()).isEqualTo(1);
        assertThat(stats.get(1).waiting()).isEqualTo(2);
        assertThat(stats.get(1).replayed()).isZero();
        assertThat(stats.get(1).oldestWaitingDiedAt()).isNotNull();
    }

    @Test
    void replayHandsTheLetterToItsTargetOnceAndDoesNotSpendAnAttempt() {
        long id = store.add(letter("jobqueue:emails").attempts(3).build());
        List<DeadLetter> received = new CopyOnWriteArrayList<>();
        store.registerReplayTarget("jobqueue:*", (tx, l) -> {
            received.add(l);
            return "job-" + l.id();
        });

        ReplayResult first = store.replay(id);
        ReplayResult second = store.replay(id);

        assertThat(first.outcome()).isEqualTo(ReplayOutcome.REPLAYED);
        assertThat(first.reference()).isEqualTo("job-" + id);
        assertThat(second.outcome()).isEqualTo(ReplayOutcome.ALREADY_REPLAYED);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).payload()).contains("a@example.com");
        DeadLetter after = store.get(id).orElseThrow();
        assertThat(after.status()).isEqualTo(DeadLetterStatus.REPLAYED);
        assertThat(after.replayCount()).isEqualTo(1);
        assertThat(after.attempts()).isEqualTo(3);
        assertThat(after.lastReplayedAt()).isNotNull();
        assertThat(after.lastReplayRef()).isEqualTo("job-" + id);
        assertThat(counter(DeadLetterMetrics.REPLAYED, "outcome", "replayed")).isEqualTo(1);
    }

    @Test
    void anExactTargetWinsOverAPrefixAndALongerPrefixOverAShorterOne() {
        long exact = store.add(letter("webhook:stripe").build());
        long longer = store.add(letter("webhook:github:push").build());
        long shorter = store.add(letter("webhook:other").build());
        store.registerReplayTarget("webhook:*", (tx, l) -> "short");
        store.registerReplayTarget("webhook:github:*", (tx, l) -> "long");
        store.registerReplayTarget("webhook:stripe", (tx, l) -> "exact");

        assertThat(store.replay(exact).reference()).isEqualTo("exact");
        assertThat(store.replay(longer).reference()).isEqualTo("long");
        assertThat(store.replay(shorter).reference()).isEqualTo("short");
    }

    @Test
    void aLetterWithoutATargetIsRefusedWithAClearErrorAndKept() {
        long id = store.add(letter("webhook:unknown").build());

        ReplayResult r = store.replay(id);

        assertThat(r.outcome()).isEqualTo(ReplayOutcome.NO_TARGET);
        assertThat(r.detail()).contains("no replay target registered for source 'webhook:unknown'");
        DeadLetter l = store.get(id).orElseThrow();
        assertThat(l.status()).isEqualTo(DeadLetterStatus.DEAD);
        assertThat(l.lastReplayError()).contains("webhook:unknown");
        assertThat(store.hasReplayTarget("webhook:unknown")).isFalse();
    }

    @Test
    void aFailingTargetLeavesTheLetterWaitingWithTheErrorUntilAReplaySucceeds() {
        long id = store.add(letter("webhook:stripe").build());
        boolean[] down = {true};
        store.registerReplayTarget("webhook:stripe", (tx, l) -> {
            if (down[0]) {
                throw new java.io.IOException("stripe is down");
            }
            return "delivered";
        });

        ReplayResult failed = store.replay(id);
        assertThat(failed.outcome()).isEqualTo(ReplayOutcome.FAILED);
        assertThat(failed.detail()).contains("stripe is down");
        assertThat(store.get(id).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);
        assertThat(store.get(id).orElseThrow().lastReplayError()).contains("java.io.IOException: stripe is down");

        down[0] = false;
        assertThat(store.replay(id).outcome()).isEqualTo(ReplayOutcome.REPLAYED);
        DeadLetter l = store.get(id).orElseThrow();
        assertThat(l.lastReplayError()).isNull();
        assertThat(l.replayCount()).isEqualTo(1);
        assertThat(counter(DeadLetterMetrics.REPLAYED, "outcome", "failed")).isEqualTo(1);
    }

    @Test
    void replayOfSeveralIdsReportsEachInOrder() {
        long a = store.add(letter("a:x").build());
        long b = store.add(letter("b:x").build());
        store.registerReplayTarget("a:*", (tx, l) -> null);

        List<ReplayResult> results = store.replay(List.of(b, 999_999L, a));

        assertThat(results).extracting(ReplayResult::outcome)
                .containsExactly(ReplayOutcome.NO_TARGET, ReplayOutcome.NOT_FOUND, ReplayOutcome.REPLAYED);
        assertThat(results).extracting(ReplayResult::id).containsExactly(b, 999_999L, a);
    }

    @Test
    void replayAllWorksOnTheSnapshotSoLettersThatFailAgainAreNotReplayedInALoop() throws Exception {
        List<Long> original = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            original.add(store.add(letter("jobqueue:emails").build()));
        }
        long otherSource = store.add(letter("webhook:x").build());
        List<Long> handed = Collections.synchronizedList(new ArrayList<>());
        // Every replayed job fails again at once and comes back as a new letter.
        store.registerReplayTarget("jobqueue:*", (tx, l) -> {
            handed.add(l.id());
            if (tx != null) {
                store.add(tx, letter(l.source()).replayOf(l.id()).reason(DeadLetterReason.MAX_ATTEMPTS).build());
            } else {
                store.add(letter(l.source()).replayOf(l.id()).reason(DeadLetterReason.MAX_ATTEMPTS).build());
            }
            return null;
        });

        ReplayProgress p = store.replayAll(ReplayAllRequest.builder().source("jobqueue:*").batchSize(7).build());

        assertThat(p.state()).isEqualTo(ReplayProgress.State.FINISHED);
        assertThat(p.total()).isEqualTo(30);
        assertThat(p.done()).isEqualTo(30);
        assertThat(p.failed()).isZero();
        assertThat(p.toDo()).isZero();
        assertThat(handed).containsExactlyInAnyOrderElementsOf(original);
        List<DeadLetter> waiting = store.list(DeadLetterQuery.builder().source("jobqueue:*").limit(100).build()).letters();
        assertThat(waiting).hasSize(30).allSatisfy(l -> assertThat(original).contains(l.replayOf()));
        assertThat(store.get(otherSource).orElseThrow().isWaiting()).isTrue();
    }

    @Test
    void replayAllCountsFailuresAndVisitsEachFailingLetterOnce() {
        for (int i = 0; i < 10; i++) {
            store.add(letter("a:x").header("n", String.valueOf(i)).build());
        }
        store.add(letter("nobody:x").build());
        List<Long> calls = Collections.synchronizedList(new ArrayList<>());
        store.registerReplayTarget("a:*", (tx, l) -> {
            calls.add(l.id());
            if (Integer.parseInt(l.headers().get("n")) % 2 == 0) {
                throw new IllegalStateException("still broken");
            }
            return null;
        });

        ReplayProgress p = store.replayAll(ReplayAllRequest.builder().batchSize(3).build());

        assertThat(p.state()).isEqualTo(ReplayProgress.State.FINISHED);
        assertThat(p.total()).isEqualTo(11);
        assertThat(p.done()).isEqualTo(5);
        assertThat(p.failed()).isEqualTo(6);
        assertThat(calls).hasSize(10).doesNotHaveDuplicates();
        assertThat(store.count(DeadLetterQuery.waiting())).isEqualTo(6);
    }

    @Test
    void aDryRunChangesNothingAndReportsWhatWouldHappen() {
        long a = store.add(letter("a:x").build());
        store.add(letter("nobody:x").build());
        List<Long> calls = new CopyOnWriteArrayList<>();
        store.registerReplayTarget("a:*", (tx, l) -> {
            calls.add(l.id());
            return null;
        });

        ReplayProgress p = store.replayAll(ReplayAllRequest.builder().dryRun(true).build());

        assertThat(p.state()).isEqualTo(ReplayProgress.State.FINISHED);
        assertThat(p.done()).isEqualTo(1);
        assertThat(p.failed()).isEqualTo(1);
        assertThat(calls).isEmpty();
        assertThat(store.get(a).orElseThrow().isWaiting()).isTrue();
    }

    @Test
    void aThrottledReplayAllCanBeCancelledAndKeepsWhatItHandedOver() throws Exception {
        for (int i = 0; i < 200; i++) {
            store.add(letter("a:x").build());
        }
        store.registerReplayTarget("a:*", (tx, l) -> null);

        ReplayAllRun run = store.startReplayAll(ReplayAllRequest.builder().ratePerSecond(20).build());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (run.progress().done() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        run.cancel();
        ReplayProgress p = run.await(Duration.ofSeconds(60));

        assertThat(p.state()).isEqualTo(ReplayProgress.State.CANCELLED);
        assertThat(p.done()).isGreaterThanOrEqualTo(3).isLessThan(200);
        assertThat(p.toDo()).isPositive();
        assertThat(store.count(DeadLetterQuery.builder().status(DeadLetterStatus.REPLAYED).build())).isEqualTo(p.done());
    }

    @Test
    void aTargetThatThrowsAnErrorEndsTheReplayAllRunAsFailedInsteadOfLeavingItRunning() throws Exception {
        long a = store.add(letter("a:x").build());
        store.registerReplayTarget("a:*", (tx, l) -> {
            throw new AssertionError("a bug in the target");
        });

        ReplayAllRun run = store.startReplayAll(ReplayAllRequest.builder().build());
        ReplayProgress p = run.await(Duration.ofSeconds(60));

        assertThat(p.state()).as("a caller awaiting the run must not wait forever").isEqualTo(ReplayProgress.State.FAILED);
        assertThat(run.error()).get().isInstanceOf(AssertionError.class);
        assertThat(store.get(a).orElseThrow().isWaiting()).isTrue();
    }

    @Test
    void cleanupDeletesOnlyReplayedLettersAndCountsThem() {
        long replayed = store.add(letter("a:x").build());
        long waiting = store.add(letter("a:x").build());
        store.registerReplayTarget("a:*", (tx, l) -> null);
        store.replay(replayed);

        assertThat(store.cleanupReplayed(Duration.ofDays(1))).isZero();
        assertThat(store.cleanupReplayed(Duration.ZERO)).isEqualTo(1);

        assertThat(store.get(replayed)).isEmpty();
        assertThat(store.get(waiting)).isPresent();
        assertThat(counter(DeadLetterMetrics.REMOVED, "cause", "cleanup")).isEqualTo(1);
    }

    @Test
    void purgeByAgeDeletesOldLettersOfAnyStatusAndCountsThem() {
        for (int i = 0; i < 25; i++) {
            store.add(letter("a:x").diedAt(ago(Duration.ofDays(8))).build());
        }
        long young = store.add(letter("a:x").diedAt(ago(Duration.ofDays(6))).build());

        long purged = store.purgeOlderThan(Duration.ofDays(7));

        assertThat(purged).isEqualTo(25);
        assertThat(store.count(DeadLetterQuery.builder().anyStatus().build())).isEqualTo(1);
        assertThat(store.get(young)).isPresent();
        assertThat(counter(DeadLetterMetrics.REMOVED, "cause", "age")).isEqualTo(25);
    }

    @Test
    void theCapKeepsTheNewestLettersAndCountsTheRest() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(store.add(letter(i < 6 ? "a:x" : "b:x").build()));
        }

        assertThat(store.enforceCap(20)).isZero();
        assertThat(store.enforceCap(5)).isEqualTo(7);

        assertThat(ids(DeadLetterQuery.builder().anyStatus().build())).containsExactlyElementsOf(ids.subList(7, 12));
        assertThat(counter(DeadLetterMetrics.REMOVED, "cause", "cap")).isEqualTo(7);
    }

    @Test
    void deleteRemovesOneLetterOnPurpose() {
        long id = store.add(letter("a:x").build());
        assertThat(store.delete(id)).isTrue();
        assertThat(store.delete(id)).isFalse();
        assertThat(counter(DeadLetterMetrics.REMOVED, "cause", "manual")).isEqualTo(1);
    }

    @Test
    void badArgumentsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> store.purgeOlderThan(Duration.ofDays(-1))).hasMessageContaining("age must not be negative");
        assertThatThrownBy(() -> store.enforceCap(-1)).hasMessageContaining("maxLetters must be 0 or more, but was -1");
        assertThatThrownBy(() -> store.registerReplayTarget("a*b", (tx, l) -> null)).hasMessageContaining("'a*b'");
    }

    @Test
    void theHealthCheckIsDegradedAboveTheWaitingThresholdOrWhenTheOldestIsTooOld() throws Exception {
        DeadLetterHealthCheck check = DeadLetterHealthCheck.builder(store).maxWaiting(2).maxOldestAge(Duration.ofHours(1)).build();
        assertThat(check.check().status()).isEqualTo(dev.opskit.core.health.HealthStatus.UP);
        store.add(letter("a:x").build());
        store.add(letter("a:x").build());
        assertThat(check.check().status()).isEqualTo(dev.opskit.core.health.HealthStatus.UP);
        store.add(letter("a:x").build());
        assertThat(check.check().status()).isEqualTo(dev.opskit.core.health.HealthStatus.DEGRADED);
        assertThat(check.check().details()).containsEntry("waiting", 3L)
                .containsEntry("maxWaiting", 2L).containsEntry("maxOldestAgeSeconds", 3600L)
                .containsOnlyKeys("waiting", "maxWaiting", "oldestAgeSeconds", "maxOldestAgeSeconds", "sources");

        DeadLetterStore other = newStore(new SimpleMeterRegistry());
        DeadLetterHealthCheck oldCheck = DeadLetterHealthCheck.builder(other).build();
        assertThat(oldCheck.check().status()).isEqualTo(dev.opskit.core.health.HealthStatus.UP);
        other.add(letter("a:x").diedAt(ago(Duration.ofDays(2))).build());
        assertThat(oldCheck.check().status()).isEqualTo(dev.opskit.core.health.HealthStatus.DEGRADED);
    }

    private List<Long> ids(DeadLetterQuery q) {
        return store.list(q).letters().stream().map(DeadLetter::id).toList();
    }
}
