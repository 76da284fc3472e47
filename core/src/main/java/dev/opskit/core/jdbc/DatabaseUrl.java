package dev.opskit.core.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns the {@code DATABASE_URL} forms operators use into a JDBC URL for the PostgreSQL driver.
 *
 * <p>Accepts {@code jdbc:postgresql://host:port/db?user=..&password=..} (returned as is) and the
 * libpq / Heroku form {@code postgres://user:password@host:port/db?sslmode=require} (also
 * {@code postgresql://}), whose user and password are percent-decoded and passed as parameters.
 */
public final class DatabaseUrl {
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)password=([^&]*)");
    private DatabaseUrl() {
    }

    /**
     * @return a {@code jdbc:postgresql:} URL
     * @throws IllegalArgumentException naming the problem (the password is never echoed) when the
     *     URL is neither form or lacks a host or database
     */
    public static String toJdbc(String databaseUrl) {
        Objects.requireNonNull(databaseUrl, "databaseUrl must not be null");
        String url = databaseUrl.trim();
        if (url.startsWith("jdbc:postgresql:")) {
            return url;
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("database URL must start with jdbc:postgresql://, postgres:// or postgresql://, but was '"
                    + redact(url) + "'");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("database URL is not a valid URI: '" + redact(url) + "' (" + e.getReason() + ")", e);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("database URL has no host: '" + redact(url) + "'");
        }
        String path = uri.getRawPath();
        if (path == null || path.length() <= 1) {
            throw new IllegalArgumentException("database URL has no database name: '" + redact(url) + "'");
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
        if (uri.getPort() > 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append(path);
        String sep = "?";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            jdbc.append(sep).append("user=").append(encode(user));
            sep = "&";
            if (colon >= 0) {
                jdbc.append(sep).append("password=").append(encode(decode(userInfo.substring(colon + 1))));
            }
        }
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            jdbc.append(sep).append(uri.getRawQuery());
        }
        return jdbc.toString();
    }

    /** The URL with any password replaced by {@code ***}, for logs and error messages. */
    public static @Nullable String redact(@Nullable String url) {
        if (url == null) {
            return null;
        }
        String out = url;
        int scheme = out.indexOf("://");
        if (scheme >= 0) {
            // up to the last '@': a generated password may hold an unencoded '/', '@' or '?' (base64 does),
            // and a malformed URL is exactly what ends up in an error message; hiding too much is harmless
            int at = out.lastIndexOf('@');
            int colon = out.indexOf(':', scheme + 3);
            if (at > scheme && colon >= 0 && colon < at) {
                out = out.substring(0, colon + 1) + "***" + out.substring(at);
            }
        }
        return out.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /**
     * {@code text} (typically an exception message) with every password of {@code url} replaced by
     * {@code ***}: the user-info password and every {@code password=} value, raw and
     * percent-decoded, wherever they appear. Errs on the side of hiding too much.
     */
    public static String redact(String text, String url) {
        if (text == null || url == null) {
            return text;
        }
        List<String> secrets = new ArrayList<>();
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        int colon = scheme < 0 ? -1 : url.indexOf(':', scheme + 3);
        if (colon >= 0 && colon < at) {
            secrets.add(url.substring(colon + 1, at));
        }
        Matcher m = PASSWORD_PARAMETER.matcher(url);
        while (m.find()) {
            secrets.add(m.group(1));
        }
        for (String raw : List.copyOf(secrets)) {
            try {
                secrets.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException notPercentEncoded) {
                // the raw form is enough
            }
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, "***");
            }
        }
        // a JDBC form of the URL in the text carries the password as a parameter
        return out.replaceAll("(?i)(password=)[^&\\s']*", "$1***");
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // not e's message: it quotes the piece it could not decode, which may be the password
            throw new IllegalArgumentException("the user name or password in the database URL is not valid percent-encoding");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
