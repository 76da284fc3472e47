package dev.opskit.examples.spring;

import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobRequest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Places orders: each order row and its confirmation job are written in one Spring transaction
 * (the starter's {@code JobQueue} joins it), so a failure rolls back both.
 */
@Service
public class Orders {
    /** The job kind that confirms an order. */
    public static final String CONFIRM = "confirm-order";
    /** The queue of confirmation jobs. */
    public static final String QUEUE = "orders";

    private final JdbcTemplate jdbc;
    private final JobQueue jobs;

    Orders(JdbcTemplate jdbc, JobQueue jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /**
     * Places {@code count} orders with a confirmation job each.
     *
     * @param failAtEnd throw after everything was written, to show that the rollback removes the jobs too
     * @return the ids of the jobs
     */
    @Transactional
    public List<Long> place(String customer, int count, boolean failAtEnd) {
        List<Long> jobIds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Long orderId = jdbc.queryForObject("INSERT INTO orders (customer) VALUES (?) RETURNING id", Long.class, customer);
            jobIds.add(jobs.enqueue(JobRequest.builder(CONFIRM).queue(QUEUE)
                    .payload("{\"orderId\":" + orderId + "}").build()).jobId());
        }
        if (failAtEnd) {
            throw new IllegalStateException("failing on purpose after " + count + " orders and jobs: all of them roll back");
        }
        return jobIds;
    }
}
