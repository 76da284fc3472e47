/**
 * Breaker benchmarks (JMH): the closed-path cost of a call direct, through a bare resilience4j breaker
 * and through an opskit provider breaker, in wall time and in the caller's CPU time. Not published.
 */
package dev.opskit.bench.breaker;
