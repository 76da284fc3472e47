package dev.opskit.core.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(30);
    /** Attempt numbers around every boundary of the shift arithmetic, up to the largest int. */
    private static final int[] LARGE_ATTEMPTS = {
        1, 2, 3, 10, 30, 31, 32, 33, 61, 62, 63, 64, 65, 100, 1_000, 65_536, 1 << 30,
        Integer.MAX_VALUE - 1, Integer.MAX_VALUE
    };

    @Test
    void theSameSeedGivesTheSameSequence() {
        Backoff first = Backoff.exponential(BASE, CAP, new Random(42));
        Backoff second = Backoff.exponential(BASE, CAP, new Random(42));
        List<Duration> a = new ArrayList<>();
        List<Duration> b = new ArrayList<>();
        for (int attempt = 1; attempt <= 50; attempt++) {
            a.add(first.delay(attempt));
            b.add(second.delay(attempt));
        }
        assertThat(a).isEqualTo(b);
        // and it really is random: not every delay is the same
        assertThat(new HashSet<>(a)).hasSizeGreaterThan(10);
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        Backoff first = Backoff.exponential(BASE, CAP, new Random(1));
        Backoff second = Backoff.exponential(BASE, CAP, new Random(2));
        List<Duration> a = new ArrayList<>();
        List<Duration> b = new ArrayList<>();
        for (int attempt = 1; attempt <= 20; attempt++) {
            a.add(first.delay(attempt));
            b.add(second.delay(attempt));
        }
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void fullJitterStaysBetweenZeroAndTheExponentialCeiling() {
        Backoff backoff = Backoff.exponential(BASE, CAP, new Random(7));
        for (int attempt = 1; attempt <= 12; attempt++) {
            Duration ceiling = BASE.multipliedBy(1L << (attempt - 1));
            if (ceiling.compareTo(CAP) > 0) {
                ceiling = CAP;
            }
            for (int i = 0; i < 200; i++) {
                Duration d = backoff.delay(attempt);
                assertThat(d).as("attempt %d", attempt).isBetween(Duration.ZERO, ceiling);
            }
        }
    }

    @Test
    void fullJitterUsesTheWholeRangeNotJustTheTop() {
        Backoff backoff = Backoff.exponential(BASE, CAP, new Random(11));
        Duration ceiling = BASE.multipliedBy(8); // attempt 4
        long belowHalf = 0;
        for (int i = 0; i < 1_000; i++) {
            if (backoff.delay(4).compareTo(ceiling.dividedBy(2)) < 0) {
                belowHalf++;
            }
        }
        // uniform on [0, ceiling]: about half below the middle
        assertThat(belowHalf).isBetween(350L, 650L);
    }

    @Test
    void theCapIsRespectedAndReachedForLateAttempts() {
        Backoff backoff = Backoff.exponential(BASE, CAP, new Random(3));
        Duration largest = Duration.ZERO;
        for (int i = 0; i < 2_000; i++) {
            Duration d = backoff.delay(40);
            assertThat(d).isLessThanOrEqualTo(CAP);
            if (d.compareTo(largest) > 0) {
                largest = d;
            }
        }
        assertThat(largest).isGreaterThan(CAP.multipliedBy(9).dividedBy(10));
    }

    @Test
    void neverNegativeNorAboveTheCapForAnyAttemptUpToMaxValue() {
        for (Duration cap : List.of(BASE, CAP, Duration.ofDays(365 * 200L))) {
            Backoff backoff = Backoff.exponential(BASE, cap, new Random(5));
            for (int attempt : LARGE_ATTEMPTS) {
                for (int i = 0; i < 50; i++) {
                    Duration d = backoff.delay(attempt);
                    assertThat(d).as("cap %s attempt %d", cap, attempt).isBetween(Duration.ZERO, cap);
                }
            }
        }
    }

    @Test
    void ceilingSaturatesAtTheCapWithoutOverflow() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofNanos(1), Duration.ofNanos(Long.MAX_VALUE - 1), null);
        assertThat(backoff.ceilingNanos(1)).isEqualTo(1);
        assertThat(backoff.ceilingNanos(63)).isEqualTo(1L << 62);
        assertThat(backoff.ceilingNanos(64)).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(backoff.ceilingNanos(65)).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE - 1);
        for (int attempt : LARGE_ATTEMPTS) {
            long ceiling = backoff.ceilingNanos(attempt);
            assertThat(ceiling).as("attempt %d", attempt).isPositive();
            assertThat(backoff.delay(attempt)).isBetween(Duration.ZERO, Duration.ofNanos(Long.MAX_VALUE - 1));
        }
    }

    @Test
    void ceilingIsExactlyBaseTimesPowersOfTwoBelowTheCap() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(3), Duration.ofMillis(100), null);
        assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(3).toNanos());
        assertThat(backoff.ceilingNanos(2)).isEqualTo(Duration.ofMillis(6).toNanos());
        assertThat(backoff.ceilingNanos(6)).isEqualTo(Duration.ofMillis(96).toNanos());
        assertThat(backoff.ceilingNanos(7)).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void aBackoffWithoutASeedIsSharedSafelyBetweenThreads() throws InterruptedException {
        Backoff backoff = Backoff.exponential(BASE, CAP);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Set<Duration> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            new Thread(() -> {
                try {
                    for (int attempt = 1; attempt < 10_000; attempt++) {
                        Duration d = backoff.delay(attempt);
                        if (d.isNegative() || d.compareTo(CAP) > 0) {
                            throw new AssertionError("attempt " + attempt + " gave " + d);
                        }
                        seen.add(d);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(errors).isEmpty();
        assertThat(seen).hasSizeGreaterThan(100);
    }

    @Test
    void badArgumentsAreRefusedAndNamed() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, CAP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(-1), CAP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap").hasMessageContaining("PT1S");
        // too long to count in nanoseconds, and the one value that would make the jitter bound overflow
        assertThatThrownBy(() -> Backoff.exponential(BASE, Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap");
        assertThatThrownBy(() -> Backoff.exponential(BASE, Duration.ofNanos(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap");
        assertThatNullPointerException().isThrownBy(() -> Backoff.exponential(null, CAP)).withMessageContaining("base");
        assertThatNullPointerException().isThrownBy(() -> Backoff.exponential(BASE, null)).withMessageContaining("cap");
        assertThatNullPointerException().isThrownBy(() -> Backoff.exponential(BASE, CAP, null)).withMessageContaining("random");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThatNullPointerException().isThrownBy(() -> Backoff.fixed(null)).withMessageContaining("delay");
        assertThatNullPointerException().isThrownBy(() -> Backoff.custom(null)).withMessageContaining("function");
    }

    @Test
    void attemptNumbersBelowOneAreRefusedByEveryKind() {
        for (Backoff backoff : List.of(Backoff.exponential(BASE, CAP), Backoff.fixed(BASE), Backoff.custom(a -> BASE))) {
            for (int attempt : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertThatThrownBy(() -> backoff.delay(attempt))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("attempt must be at least 1, but was " + attempt);
            }
        }
    }

    @Test
    void fixedReturnsTheSameDelayForEveryAttempt() {
        Backoff backoff = Backoff.fixed(Duration.ofMinutes(5));
        for (int attempt : LARGE_ATTEMPTS) {
            assertThat(backoff.delay(attempt)).isEqualTo(Duration.ofMinutes(5));
        }
        assertThat(Backoff.fixed(Duration.ZERO).delay(3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void customIsAskedWithTheAttemptNumber() {
        Backoff backoff = Backoff.custom(attempt -> Duration.ofSeconds(attempt * 10L));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void customReturningNullOrNegativeIsAnIllegalStateNamingTheAttempt() {
        Backoff nulls = Backoff.custom(attempt -> null);
        assertThatThrownBy(() -> nulls.delay(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attempt 4").hasMessageContaining("null");
        Backoff negative = Backoff.custom(attempt -> Duration.ofSeconds(-attempt));
        assertThatThrownBy(() -> negative.delay(7))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attempt 7").hasMessageContaining("PT-7S");
    }
}
