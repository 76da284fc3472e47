/**
 * Spring Boot 3 auto-configuration for opskit: add {@code dev.opskit:opskit-spring-boot-starter}
 * to an application with a {@code DataSource} and it gets the job queue (schema, transaction-joining
 * enqueue, workers started with the context and drained on close), dead letters, breakers from
 * {@code opskit.breakers.*}, opskit health checks as Actuator contributors, every opskit meter on
 * Boot's {@code MeterRegistry}, and the migration guard as a Flyway callback. Every bean backs off
 * when the application defines its own. Properties: {@link dev.opskit.spring.boot.OpskitProperties}.
 */
@org.jspecify.annotations.NullMarked
package dev.opskit.spring.boot;
