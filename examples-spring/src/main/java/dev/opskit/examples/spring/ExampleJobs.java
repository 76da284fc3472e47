package dev.opskit.examples.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.QueueCounts;
import dev.opskit.spring.boot.OpskitJobHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The job handler (a bean, picked up by the starter) and the shutdown log line the end-to-end test reads. */
@Configuration(proxyBeanMethods = false)
class ExampleJobs {
    private static final Logger log = LoggerFactory.getLogger(ExampleJobs.class);
    static final AtomicInteger CONFIRMED = new AtomicInteger();

    /** Confirms an order: "sends" the e-mail through the email breaker, then marks the order. */
    @Bean
    OpskitJobHandler confirmOrder(JdbcTemplate jdbc, ObjectMapper json, ProviderBreakers breakers,
                                  @Value("${example.confirmation-millis}") long millis) {
        return OpskitJobHandler.of(Orders.CONFIRM, ctx -> {
            long orderId = json.readTree(ctx.payload()).path("orderId").asLong();
            breakers.call("email", Duration.ofSeconds(10), () -> {
                Thread.sleep(millis); // the e-mail provider's latency
                return Boolean.TRUE;
            });
            jdbc.update("UPDATE orders SET confirmed_at = now() WHERE id = ?", orderId);
            CONFIRMED.incrementAndGet();
        });
    }

    /**
     * Logs the job counts once the workers have drained: its phase is one below the workers'
     * lifecycle, so it stops after them, and before any bean (the pool, the database) is destroyed.
     */
    @Bean
    SmartLifecycle exampleShutdownCounts(JobQueue jobs) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                long available = 0, running = 0, completed = 0, cancelled = 0, dead = 0;
                for (QueueCounts c : jobs.counts()) {
                    available += c.available();
                    running += c.running();
                    completed += c.completed();
                    cancelled += c.cancelled();
                    dead += c.dead();
                }
                log.info("jobs at shutdown: total={} available={} running={} completed={} cancelled={} dead={}",
                        available + running + completed + cancelled + dead, available, running, completed, cancelled, dead);
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return dev.opskit.spring.boot.WorkersLifecycle.PHASE - 1;
            }
        };
    }
}
