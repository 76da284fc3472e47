package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which outcomes count against the provider. A window of 100 never fills, so nothing opens. */
class ClassificationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ProviderBreakers breakers;
    private ProviderBreaker b;

    static class ValidationError extends RuntimeException {
        ValidationError(String m) {
            super(m);
        }
    }

    @BeforeEach
    void setUp() {
        breakers = ProviderBreakers.builder()
                .add(BreakerConfig.custom("acme").slidingWindowSize(100).minimumNumberOfCalls(100)
                        .ignoreExceptions(ValidationError.class).build())
                .switchSource(SwitchSource.of(Map.of())).switchRefreshInterval(Duration.ZERO).build();
        b = breakers.get("acme");
    }

    @AfterEach
    void tearDown() {
        breakers.close();
    }

    private void expectCounts(int buffered, int failed) {
        BreakerSnapshot s = b.snapshot();
        assertThat(s.bufferedCalls()).as("buffered calls").isEqualTo(buffered);
        assertThat(s.failedCalls()).as("failed calls").isEqualTo(failed);
    }

    @Test
    void serverErrorsAndTooManyRequestsCountClientErrorsDoNot() {
        for (int status : new int[] {500, 502, 503, 504, 429}) {
            ProviderResponse r = b.callInline(TIMEOUT, () -> ProviderResponse.of(status, null));
            assertThat(r.statusCode()).as("the response still reaches the caller").isEqualTo(status);
        }
        for (int status : new int[] {200, 201, 301, 400, 401, 404, 409, 422}) {
            b.callInline(TIMEOUT, () -> ProviderResponse.of(status, null));
        }
        expectCounts(13, 5);
    }

    @Test
    void thrownProviderExceptionsAreClassifiedByStatusAndReachTheCallerUnchanged() {
        ProviderException unavailable = new ProviderException("acme answered 503", 503, Duration.ofSeconds(7));
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
            throw unavailable;
        })).isSameAs(unavailable);
        assertThatThrownBy(() -> b.call(TIMEOUT, () -> {
            throw new ProviderException("acme answered 429", 429);
        })).isInstanceOf(ProviderException.class);
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
            throw new ProviderException("acme answered 422", 422);
        })).isInstanceOf(ProviderException.class);
        expectCounts(3, 2);
    }

    @Test
    void ioErrorsCountAndArriveWrappedWithTheirCause() {
        assertThatThrownBy(() -> b.call(TIMEOUT, () -> {
            throw new IOException("reset by peer");
        })).isInstanceOfSatisfying(ProviderCallException.class, e -> {
            assertThat(e.provider()).isEqualTo("acme");
            assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage("reset by peer");
        });
        expectCounts(1, 1);
    }

    @Test
    void jdkHttpResponsesAreClassifiedByTheirStatus() {
        b.callInline(TIMEOUT, () -> new FakeResponse(503, Map.of("Retry-After", List.of("12"))));
        b.callInline(TIMEOUT, () -> new FakeResponse(404, Map.of()));
        b.callInline(TIMEOUT, () -> new FakeResponse(200, Map.of()));
        expectCounts(3, 1);
    }

    @Test
    void ignoredExceptionsAndInterruptsCountNeitherWay() {
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
            throw new ValidationError("prompt too long");
        })).isInstanceOf(ValidationError.class);
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
            throw new InterruptedException();
        })).isInstanceOf(ProviderCallException.class).hasCauseInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("the interrupt flag is set again (and cleared here)").isTrue();
        expectCounts(0, 0);
    }

    @Test
    void aFallbackAnswersForRejectionsFailuresAndFaultyResponses() {
        assertThat(b.callWithFallback(TIMEOUT, () -> "fresh", e -> "cached")).isEqualTo("fresh");
        String afterFailure = b.callWithFallback(TIMEOUT, () -> {
            throw new IOException("down");
        }, e -> "cached after " + e.getClass().getSimpleName());
        assertThat(afterFailure).isEqualTo("cached after ProviderCallException");
        assertThat(b.callWithFallback(TIMEOUT, () -> ProviderResponse.of(503, Duration.ofSeconds(3)),
                e -> ProviderResponse.of(((ProviderException) e).statusCode() == 503 ? 299 : 599, null)).statusCode())
                .isEqualTo(299);
        try (ProviderBreakers forced = ProviderBreakers.builder().add(BreakerConfig.ofDefaults("acme"))
                .switchSource(SwitchSource.of(Map.of("ACME_CIRCUIT_OPEN", "true")))
                .switchRefreshInterval(Duration.ZERO).build()) {
            assertThat(forced.callWithFallback("acme", TIMEOUT, () -> "fresh",
                    e -> e instanceof CallRejectedException r && r.forced() ? "queued" : "?")).isEqualTo("queued");
        }
    }

    @Test
    void retryAfterHeadersAreParsedAsSecondsOrDates() {
        Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);
        assertThat(ProviderResponse.parseRetryAfter("120", clock)).contains(Duration.ofSeconds(120));
        assertThat(ProviderResponse.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", clock)).contains(Duration.ofSeconds(60));
        assertThat(ProviderResponse.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", clock)).contains(Duration.ZERO);
        assertThat(ProviderResponse.parseRetryAfter("soon", clock)).isEmpty();
        assertThat(ProviderResponse.parseRetryAfter(null, clock)).isEmpty();
        assertThatThrownBy(() -> ProviderResponse.of(99, null)).hasMessage("statusCode must be between 100 and 599, but was 99");
    }

    /** The smallest HttpResponse: status and headers. */
    record FakeResponse(int statusCode, Map<String, List<String>> headerMap) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(URI.create("http://acme.invalid/")).build();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(headerMap, (k, v) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request().uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
