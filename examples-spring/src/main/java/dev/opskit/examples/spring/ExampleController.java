package dev.opskit.examples.spring;

import dev.opskit.breaker.BreakerSnapshot;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.QueueCounts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders} and {@code GET /status}. */
@RestController
class ExampleController {
    private final Orders orders;
    private final JobQueue jobs;
    private final JdbcTemplate jdbc;
    private final ProviderBreakers breakers;

    ExampleController(Orders orders, JobQueue jobs, JdbcTemplate jdbc, ProviderBreakers breakers) {
        this.orders = orders;
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.breakers = breakers;
    }

    /** Places orders with their jobs in one transaction; {@code fail=true} rolls both back (answer 409). */
    @PostMapping("/orders")
    ResponseEntity<Map<String, Object>> place(@RequestParam(name = "count", defaultValue = "1") int count,
                                              @RequestParam(name = "fail", defaultValue = "false") boolean fail,
                                              @RequestParam(name = "customer", defaultValue = "alice") String customer) {
        try {
            List<Long> ids = orders.place(customer, count, fail);
            return ResponseEntity.ok(Map.of("placed", ids.size(), "jobIds", ids));
        } catch (IllegalStateException e) {
            return ResponseEntity.status(409).body(Map.of("placed", 0, "error", String.valueOf(e.getMessage())));
        }
    }

    /** Orders, confirmed orders, job counts per queue and state, breaker states, this process's pid. */
    @GetMapping("/status")
    Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pid", ProcessHandle.current().pid());
        out.put("orders", jdbc.queryForObject("SELECT count(*) FROM orders", Long.class));
        out.put("confirmed", jdbc.queryForObject("SELECT count(*) FROM orders WHERE confirmed_at IS NOT NULL", Long.class));
        Map<String, Object> queues = new LinkedHashMap<>();
        for (QueueCounts c : jobs.counts()) {
            queues.put(c.queue(), Map.of("available", c.available(), "running", c.running(), "completed", c.completed(),
                    "cancelled", c.cancelled(), "dead", c.dead()));
        }
        out.put("jobs", queues);
        Map<String, Object> b = new LinkedHashMap<>();
        for (BreakerSnapshot s : breakers.snapshot()) {
            b.put(s.name(), s.state().name());
        }
        out.put("breakers", b);
        return out;
    }
}
