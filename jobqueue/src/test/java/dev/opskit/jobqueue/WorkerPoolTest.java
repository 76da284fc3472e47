package dev.opskit.jobqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerPoolTest {
    private WorkerPool pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchOfBlockingTasksRunsOnAsManyThreadsAsThePoolHas() throws Exception {
        pool = new WorkerPool("test-pool-", 8);
        CountDownLatch allStarted = new CountDownLatch(8);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Runnable> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batch.add(() -> {
                threads.add(Thread.currentThread().getName());
                allStarted.countDown();
                await(release);
            });
        }
        pool.executeAll(batch);
        // each task blocks until all eight run at once: only possible if the wake-ups reach every thread
        assertThat(allStarted.await(10, TimeUnit.SECONDS)).as("all eight tasks running at the same time").isTrue();
        release.countDown();
        assertThat(threads).hasSize(8).allMatch(n -> n.startsWith("test-pool-"));
    }

    @Test
    void everyTaskOfManyBatchesRunsExactlyOnceAndAThrowingTaskDoesNotKillItsThread() throws Exception {
        pool = new WorkerPool("test-pool-", 4);
        int batches = 2_000;
        int perBatch = 7;
        AtomicInteger[] runs = new AtomicInteger[batches * perBatch];
        CountDownLatch done = new CountDownLatch(runs.length);
        for (int b = 0; b < batches; b++) {
            List<Runnable> batch = new ArrayList<>();
            for (int i = 0; i < perBatch; i++) {
                int n = b * perBatch + i;
                runs[n] = new AtomicInteger();
                batch.add(() -> {
                    runs[n].incrementAndGet();
                    done.countDown();
                    if (n % 97 == 0) {
                        throw new IllegalStateException("task " + n + " fails on purpose");
                    }
                });
            }
            pool.executeAll(batch);
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        for (AtomicInteger r : runs) {
            assertThat(r.get()).isEqualTo(1);
        }
        // still four threads able to run tasks after 145 failures
        CountDownLatch four = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        List<Runnable> blockers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blockers.add(() -> {
                four.countDown();
                await(release);
            });
        }
        pool.executeAll(blockers);
        assertThat(four.await(10, TimeUnit.SECONDS)).isTrue();
        release.countDown();
    }

    @Test
    void shutdownNowInterruptsRunningTasksDropsWaitingOnesAndRefusesNewOnes() throws Exception {
        pool = new WorkerPool("test-pool-", 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicInteger waitingRan = new AtomicInteger();
        pool.executeAll(List.of(() -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }, waitingRan::incrementAndGet));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdownNow();
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the running task was interrupted").isTrue();
        Thread.sleep(50);
        assertThat(waitingRan.get()).as("the waiting task was dropped").isZero();
        assertThatThrownBy(() -> pool.executeAll(List.of(() -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
    }

    @Test
    void aStaleInterruptDoesNotReachTheNextTask() throws Exception {
        pool = new WorkerPool("test-pool-", 1);
        CountDownLatch first = new CountDownLatch(1);
        pool.executeAll(List.of(() -> {
            Thread.currentThread().interrupt(); // as a timeout interrupt that lands as the job ends
            first.countDown();
        }));
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch second = new CountDownLatch(1);
        AtomicInteger interruptedAtStart = new AtomicInteger(-1);
        pool.executeAll(List.of(() -> {
            interruptedAtStart.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            second.countDown();
        }));
        assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interruptedAtStart.get()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
