package dev.opskit.jobqueue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of one queue: a fixed number of threads taking tasks from one list.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: handing it a claimed batch of 16 jobs wakes 16 parked
 * threads, one per task, even when the jobs take microseconds and one thread would have run them
 * all before the second woke. Profiled in a burn-down of no-op jobs, those wake-ups (futex calls
 * and context switches) were 93% of the CPU time of the worker threads. Here at most one thread
 * is being woken at any time: a batch wakes one idle thread, and the woken thread, once it runs
 * and takes a task, wakes the next if tasks are still waiting. Slow jobs still start on as many
 * threads as there are jobs, one wake-up apart; fast jobs are run by the threads already awake
 * before the next one is needed.
 */
final class WorkerPool {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerPool.class);
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final ArrayDeque<PoolThread> idle = new ArrayDeque<>();
    private final List<PoolThread> threads = new ArrayList<>();
    private volatile boolean stopped; // written under lock
    private boolean waking; // guarded by lock: a thread was signalled and has not taken a task yet

    WorkerPool(String namePrefix, int size) {
        for (int i = 1; i <= size; i++) {
            PoolThread t = new PoolThread(namePrefix + i, lock.newCondition());
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Queues the tasks and wakes one idle thread; the tasks are run in order of the collection. */
    void executeAll(Collection<? extends Runnable> batch) {
        if (batch.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (stopped) {
                throw new IllegalStateException("the worker pool is stopped");
            }
            tasks.addAll(batch);
            if (!waking) {
                wakeOne();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the threads: waiting tasks are dropped, running ones are interrupted. */
    void shutdownNow() {
        lock.lock();
        try {
            stopped = true;
            tasks.clear();
            for (PoolThread t : idle) {
                t.waiting = false;
                t.wake.signal();
            }
            idle.clear();
        } finally {
            lock.unlock();
        }
        threads.forEach(Thread::interrupt);
    }

    /** Under the lock. */
    private void wakeOne() {
        PoolThread t = idle.pollFirst();
        if (t != null) {
            t.waiting = false;
            waking = true;
            t.wake.signal();
        }
    }

    private final class PoolThread extends Thread {
        final Condition wake;
        boolean waiting; // guarded by lock: true while on the idle list

        PoolThread(String name, Condition wake) {
            super(name);
            this.wake = wake;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Runnable task;
                lock.lock();
                try {
                    while (tasks.isEmpty()) {
                        if (stopped) {
                            return;
                        }
                        // last in, first out: the thread that ran most recently is the warmest
                        idle.addFirst(this);
                        waiting = true;
                        while (waiting && !stopped) {
                            wake.awaitUninterruptibly();
                        }
                        if (waiting) { // stopped while on the list
                            idle.remove(this);
                            waiting = false;
                        } else {
                            waking = false; // this is the thread that was woken
                        }
                    }
                    task = tasks.pollFirst();
                    if (!tasks.isEmpty() && !waking) {
                        wakeOne(); // pass the rest of the batch on while this thread runs its task
                    }
                } finally {
                    lock.unlock();
                }
                // an interrupt aimed at an earlier task must not hit this one, but one from shutdownNow must
                if (Thread.interrupted() && stopped) {
                    Thread.currentThread().interrupt();
                }
                try {
                    task.run();
                } catch (Throwable t) { // the task reports its own failures; this keeps the thread alive
                    log.error("{} - a task escaped its own error handling", getName(), t);
                }
            }
        }
    }
}
