package dev.opskit.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example: {@code mvn -q -pl examples-spring -am test-compile exec:java} from the repository
 * root. HTTP on {@code OPSKIT_HTTP_PORT} (default 8090): {@code POST /orders?count=N[&fail=true]},
 * {@code GET /status}, {@code /actuator/health}, {@code /actuator/health/readiness},
 * {@code /actuator/prometheus}. SIGTERM or Ctrl-C: readiness OUT_OF_SERVICE, the workers drain,
 * {@code jobs at shutdown: ...} is logged, the embedded PostgreSQL stops.
 */
@SpringBootApplication
public class SpringExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpringExampleApplication.class, args);
    }
}
