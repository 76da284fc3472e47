package dev.opskit.jobqueue;

import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A worker process declaring the schedule {@code heartbeat} (every second, catch-up ALL), started as a
 * child JVM by {@link ScheduleProcessTest}: {@code ScheduleProcessMain <jdbcUrl> <workerId>}. Once it has
 * won the compare-and-set of its first due time it prints {@code HOLDING <due>} and stops inside that
 * transaction, before the commit, row locked and job inserted: the moment a SIGKILL hurts most.
 */
public final class ScheduleProcessMain {
    static final Schedule HEARTBEAT = Schedule.every("heartbeat", Duration.ofSeconds(1), JobRequest.of("beat", "{}"))
            .catchUp(CatchUp.ALL);

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        PostgresJobQueue queue = PostgresJobQueue.builder(ds).build();
        Workers workers = Workers.builder(queue).workerId(args[1]).queue("none", 1).maintenance(false).listenNotify(false)
                .schedule(HEARTBEAT).build();
        workers.scheduler().beforeCommit(won -> {
            List<Instant> dues = won.get(HEARTBEAT.name());
            if (dues != null) {
                System.out.println("HOLDING " + dues.get(0));
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        workers.start();
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }
}
