/**
 * A Spring Boot application wired by {@code opskit-spring-boot-starter} alone: orders placed with
 * their confirmation job in one transaction, workers, Actuator health and Prometheus metrics, an
 * embedded PostgreSQL when {@code DATABASE_URL} is not set.
 */
@org.jspecify.annotations.NullMarked
package dev.opskit.examples.spring;
