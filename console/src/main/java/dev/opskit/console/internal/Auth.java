package dev.opskit.console.internal;

import dev.opskit.health.EndpointRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a request may change data. An action needs the header {@value #TOKEN_HEADER}
 * carrying one of the configured tokens: a header, unlike a cookie, is never sent by the browser on
 * its own, and a cross-site form or image cannot set it, so this is the CSRF protection as well.
 * Requests whose {@code Origin} (or {@code Sec-Fetch-Site: cross-site}) says they come from another
 * site are refused anyway, as a second line.
 *
 * <p>Tokens are compared by their SHA-256 digests with {@link MessageDigest#isEqual}, so neither
 * the content nor the length of a token leaks through timing, and every token is compared on each
 * request (no early exit).
 */
public final class Auth {
    /** The header that carries the token. */
    public static final String TOKEN_HEADER = "X-Opskit-Token";
    /** The optional header naming the person acting, logged with the token's label. */
    public static final String OPERATOR_HEADER = "X-Opskit-Operator";
    private static final Pattern OPERATOR = Pattern.compile("[\\p{L}\\p{N} ._@-]{1,64}");

    private final List<Token> tokens;
    private final Set<String> allowedOrigins;

    private record Token(String label, byte[] digest) {
    }

    /** Who did something: the name the operator gave (or none) and the label of the token used. */
    public record Actor(@Nullable String operator, String tokenLabel) {
        @Override
        public String toString() {
            return operator == null ? "token '" + tokenLabel + "'" : operator + " (token '" + tokenLabel + "')";
        }
    }

    /**
     * @param tokens token by label
     * @param allowedOrigins origins ({@code https://ops.example.com}) allowed besides the console's own
     */
    public Auth(Map<String, String> tokens, Set<String> allowedOrigins) {
        List<Token> list = new ArrayList<>();
        tokens.forEach((label, token) -> list.add(new Token(label, sha256(token))));
        this.tokens = List.copyOf(list);
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** True when no token is configured: every action is refused. */
    public boolean readOnly() {
        return tokens.isEmpty();
    }

    /**
     * The actor of an action request.
     *
     * @throws ApiException 403 when read-only or cross-origin or the token is wrong, 401 when no token was sent,
     *                      400 for an unusable operator name
     */
    public Actor authorize(EndpointRequest request) {
        if (readOnly()) {
            throw ApiException.status(403, "the console is read-only: no action token is configured "
                    + "(ConsoleEndpoint.Builder.token(label, token); the example service reads OPSKIT_CONSOLE_TOKEN)");
        }
        checkOrigin(request);
        Optional<String> sent = request.header(TOKEN_HEADER).map(String::trim).filter(s -> !s.isEmpty());
        if (sent.isEmpty()) {
            throw ApiException.status(401, "this action needs the header " + TOKEN_HEADER + " with a console token");
        }
        byte[] digest = sha256(sent.get());
        String label = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.digest(), digest) && label == null) {
                label = t.label();
            }
        }
        if (label == null) {
            throw ApiException.status(403, "the token in " + TOKEN_HEADER + " is not accepted");
        }
        String operator = request.header(OPERATOR_HEADER).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (operator != null && !OPERATOR.matcher(operator).matches()) {
            throw ApiException.badParameter(OPERATOR_HEADER, operator, "header " + OPERATOR_HEADER
                    + " must be 1 to 64 letters, digits, spaces or ._@-, but was '" + operator + "'");
        }
        return new Actor(operator, label);
    }

    private void checkOrigin(EndpointRequest request) {
        Optional<String> origin = request.header("Origin").map(String::trim);
        if (origin.isPresent()) {
            String o = origin.get();
            if (allowedOrigins.contains(o)) {
                return;
            }
            String host = request.header("Host").map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
            if (host.isEmpty() || !host.equals(authority(o))) {
                throw ApiException.status(403, "cross-origin request refused: Origin '" + o + "' is not the console's own ("
                        + (host.isEmpty() ? "no Host header" : "host '" + host + "'") + ") nor an allowed origin");
            }
            return;
        }
        // no Origin (curl, scripts): the custom token header already rules out a cross-site form
        if (request.header("Sec-Fetch-Site").map(s -> s.trim().equalsIgnoreCase("cross-site")).orElse(false)) {
            throw ApiException.status(403, "cross-site request refused (Sec-Fetch-Site: cross-site)");
        }
    }

    /** host[:port] of an origin, lower case; the default port of its scheme left out as browsers do in Host. */
    private static String authority(String origin) {
        try {
            URI uri = new URI(origin);
            String host = uri.getHost();
            if (host == null || uri.getScheme() == null) {
                return "\u0000invalid";
            }
            int port = uri.getPort();
            String a = host.toLowerCase(Locale.ROOT);   // an IPv6 host keeps its brackets
            return port < 0 ? a : a + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return "\u0000invalid";   // "null" (sandboxed frames, file:) and garbage match no host
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
