package dev.opskit.breaker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A provider's answer with an HTTP-like status, so a breaker can tell a provider fault from a
 * client error without the call throwing. Let your result type implement it, or return a
 * {@link java.net.http.HttpResponse}, which breakers understand out of the box (status and
 * {@code Retry-After} header).
 *
 * <p>Classification ({@link #isProviderFault(int)}): 5xx and 429 are provider faults and count
 * as failures; every other status (2xx, 3xx, 4xx other than 429) is a success as far as the
 * provider's health goes: a 400 means the provider is up and our request was wrong.
 */
public interface ProviderResponse {

    /** The HTTP (or HTTP-like) status code. */
    int statusCode();

    /**
     * How long the provider asked us to wait before trying again ({@code Retry-After}), if it said.
     * Retries of idempotent calls wait at least this long. Empty by default.
     */
    default Optional<Duration> retryAfter() {
        return Optional.empty();
    }

    /** True for 5xx and 429 (Too Many Requests): the provider is failing or shedding load. */
    static boolean isProviderFault(int statusCode) {
        return statusCode >= 500 || statusCode == 429;
    }

    /**
     * A minimal response: a status and an optional Retry-After.
     *
     * @param retryAfter may be {@code null}; must not be negative
     * @throws IllegalArgumentException when the status is outside 100..599 or retryAfter is negative
     */
    static ProviderResponse of(int statusCode, @Nullable Duration retryAfter) {
        if (statusCode < 100 || statusCode > 599) {
            throw new IllegalArgumentException("statusCode must be between 100 and 599, but was " + statusCode);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, but was " + retryAfter);
        }
        Optional<Duration> after = Optional.ofNullable(retryAfter);
        return new ProviderResponse() {
            @Override
            public int statusCode() {
                return statusCode;
            }

            @Override
            public Optional<Duration> retryAfter() {
                return after;
            }

            @Override
            public String toString() {
                return "ProviderResponse[" + statusCode + after.map(d -> ", retryAfter=" + d).orElse("") + "]";
            }
        };
    }

    /**
     * Parses a {@code Retry-After} header value: either delay-seconds ({@code "120"}) or an
     * HTTP-date ({@code "Wed, 21 Oct 2015 07:28:00 GMT"}), which is turned into a delay from
     * {@code clock}'s now (zero when it is in the past).
     *
     * @return empty when the value is {@code null}, blank or not in either form
     */
    static Optional<Duration> parseRetryAfter(@Nullable String headerValue, Clock clock) {
        Objects.requireNonNull(clock, "clock must not be null");
        if (headerValue == null || headerValue.isBlank()) {
            return Optional.empty();
        }
        String v = headerValue.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // absurdly long: treat as absent rather than overflow
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
