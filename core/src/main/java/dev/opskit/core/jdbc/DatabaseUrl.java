package dev.opskit.core.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns the {@code DATABASE_URL} forms operators use into a JDBC URL for the PostgreSQL driver.
 *
 * <p>Accepts {@code jdbc:postgresql://host:port/db?user=..&password=..} (returned as is) and the
 * libpq / Heroku form {@code postgres://user:password@host:port/db?sslmode=require} (also
 * {@code postgresql://}), whose user and password are percent-decoded and passed as parameters.
 */
public final class DatabaseUrl {
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
    public static String redact(String url) {
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

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
