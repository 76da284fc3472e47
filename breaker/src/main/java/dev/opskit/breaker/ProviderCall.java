package dev.opskit.breaker;

/**
 * One call to a provider, for example an HTTP request to OpenAI. May throw anything; see
 * {@link ProviderBreaker} for which outcomes count as provider failures.
 *
 * @param <T> the call's result; when it is a {@link ProviderResponse} or a
 *     {@link java.net.http.HttpResponse}, its status code is classified too
 */
@FunctionalInterface
public interface ProviderCall<T> {

    /** Makes the call. */
    T call() throws Exception;
}
