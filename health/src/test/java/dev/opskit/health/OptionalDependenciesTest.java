package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.health.HealthResult;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** HikariCP and the Prometheus registry are optional: nothing else may need them on the class path. */
class OptionalDependenciesTest {

    /** Runs in a child JVM whose class path lacks HikariCP and micrometer-registry-prometheus. */
    public static void main(String[] args) {
        HealthRegistry health = HealthRegistry.create();
        health.register("db", () -> HealthResult.up());
        health.start();
        HealthEndpoint endpoint = HealthEndpoint.builder(health).build();
        HealthServer server = HealthServer.builder(endpoint).port(0).bindAddress("127.0.0.1").build().start();
        new HealthMetrics(health).bindTo(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        EndpointResponse r = endpoint.handle(EndpointRequest.get("/health/ready"));
        server.close();
        health.close();
        System.out.println("status " + r.status());
    }

    @Test
    void theRegistryEndpointServerAndMetricsWorkWithoutHikariOrPrometheus() throws Exception {
        // surefire runs tests from a manifest-only jar; the real class path is in this property
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String classPath = Arrays.stream(full.split(File.pathSeparator))
                .filter(entry -> !entry.contains("HikariCP") && !entry.contains("prometheus"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(full).contains("HikariCP").contains("micrometer-registry-prometheus");
        assertThat(classPath).contains("micrometer-core").doesNotContain("HikariCP").doesNotContain("prometheus");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", classPath, OptionalDependenciesTest.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).contains("status 200").doesNotContain("NoClassDefFoundError").doesNotContain("ClassNotFoundException");
        assertThat(child.exitValue()).isZero();
    }
}
