package dev.opskit.spring.boot;

import dev.opskit.jobqueue.JobContext;
import dev.opskit.jobqueue.JobHandler;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link JobHandler} that names the job kind it runs: every bean of this type is registered with
 * the auto-configured {@link dev.opskit.jobqueue.Workers}. Workers are only created when at least
 * one such bean exists, so a service that only enqueues runs no worker threads.
 *
 * <pre>{@code
 * @Bean
 * OpskitJobHandler sendEmail(Mailer mailer) {
 *     return OpskitJobHandler.of("send-email", ctx -> mailer.send(ctx.payload()));
 * }
 * }</pre>
 *
 * <p>Or implement it on a {@code @Component}. Runs on the workers' threads, as {@link JobHandler}
 * describes (thread-safe, idempotent, let {@link InterruptedException} propagate). Two beans with the
 * same kind make the context fail to start, naming both beans.
 */
public interface OpskitJobHandler extends JobHandler {

    /** The job kind this handler runs, as given to {@code JobRequest.builder(kind)}. */
    String kind();

    /**
     * This kind's timeout, after which the handler's thread is interrupted and the attempt fails;
     * {@code null} (the default) for {@code opskit.jobqueue.workers.job-timeout}.
     */
    default @Nullable Duration timeout() {
        return null;
    }

    /** A handler for {@code kind} with the workers' default timeout. */
    static OpskitJobHandler of(String kind, JobHandler handler) {
        return of(kind, null, handler);
    }

    /**
     * A handler for {@code kind} with its own timeout.
     *
     * @param timeout positive, or null for the workers' default
     */
    static OpskitJobHandler of(String kind, @Nullable Duration timeout, JobHandler handler) {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        return new OpskitJobHandler() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public @Nullable Duration timeout() {
                return timeout;
            }

            @Override
            public void handle(JobContext context) throws Exception {
                handler.handle(context);
            }

            @Override
            public String toString() {
                return "OpskitJobHandler[" + kind + "]";
            }
        };
    }
}
