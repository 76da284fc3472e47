package dev.opskit.health;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * TLS certificate expiry of a keystore file (PKCS12 or JKS: every certificate of every entry), a
 * PEM file (every certificate in it) or a remote {@code host:port} (the chain the server presents).
 * DOWN when a certificate has expired or is not valid yet, or the source cannot be read or reached;
 * DEGRADED when one expires within the warning period (30 days by default); UP otherwise. Details:
 * {@code source}, {@code certificates}, {@code soonest} (subject), {@code notAfter} and
 * {@code daysLeft} of the certificate that expires first, and {@code expiringSoon} /
 * {@code invalid} listing the others that count.
 *
 * <p>It reads the file (or connects) on every check: pair it with a cached group so a probe does
 * not do TLS handshakes. The remote form trusts any chain: it reports expiry, not trust.
 */
public final class CertificateExpiryCheck implements HealthCheck {
    /** Default warning period: 30 days before expiry (the runbooks' threshold). */
    public static final Duration DEFAULT_WARN_BEFORE = Duration.ofDays(30);

    private interface Source {
        List<X509Certificate> certificates() throws IOException, GeneralSecurityException;
    }

    private final String description;
    private final Source source;
    private final Duration warnBefore;
    private final Clock clock;

    private CertificateExpiryCheck(String description, Source source, Duration warnBefore, Clock clock) {
        this.description = description;
        this.source = source;
        this.warnBefore = warnBefore;
        this.clock = clock;
    }

    /** The certificates of a keystore file; {@code type} is {@code PKCS12} or {@code JKS} (null: from the file). */
    public static CertificateExpiryCheck keystore(Path file, char @Nullable [] password, @Nullable String type) {
        Objects.requireNonNull(file, "file must not be null");
        char[] pw = password == null ? null : password.clone();
        return new CertificateExpiryCheck("keystore " + file, () -> {
            KeyStore ks = type == null ? KeyStore.getInstance(file.toFile(), pw) : load(file, pw, type);
            List<X509Certificate> out = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                Certificate[] chain = ks.getCertificateChain(alias);
                if (chain == null && ks.getCertificate(alias) != null) {
                    chain = new Certificate[] {ks.getCertificate(alias)};
                }
                if (chain != null) {
                    for (Certificate c : chain) {
                        if (c instanceof X509Certificate x && !out.contains(x)) {
                            out.add(x);
                        }
                    }
                }
            }
            return out;
        }, DEFAULT_WARN_BEFORE, Clock.systemUTC());
    }

    private static KeyStore load(Path file, char @Nullable [] pw, String type) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, pw);
        }
        return ks;
    }

    /** Every certificate in a PEM file ({@code -----BEGIN CERTIFICATE-----} blocks; keys are skipped). */
    public static CertificateExpiryCheck pem(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        return new CertificateExpiryCheck("pem " + file, () -> {
            List<X509Certificate> out = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            }
            return out;
        }, DEFAULT_WARN_BEFORE, Clock.systemUTC());
    }

    /** The chain {@code host:port} presents in a TLS handshake (with SNI), within {@code timeout}. */
    public static CertificateExpiryCheck remote(String host, int port, Duration timeout) {
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, but was " + port);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout must be positive (and under 24 days), but was " + timeout);
        }
        int millis = (int) Math.max(1, timeout.toMillis());
        return new CertificateExpiryCheck("remote " + host + ":" + port, () -> {
            List<X509Certificate> seen = new ArrayList<>();
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new RecordingTrustManager(seen)}, null);
            try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(host, port), millis);
                socket.setSoTimeout(millis);
                SSLParameters params = socket.getSSLParameters();
                if (!host.matches("[0-9.:]+")) {
                    params.setServerNames(List.of(new SNIHostName(host)));
                }
                socket.setSSLParameters(params);
                socket.startHandshake();
            }
            return seen;
        }, DEFAULT_WARN_BEFORE, Clock.systemUTC());
    }

    /** The same check with another warning period (positive). */
    public CertificateExpiryCheck warnBefore(Duration period) {
        Objects.requireNonNull(period, "period must not be null");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("warnBefore must be positive, but was " + period);
        }
        return new CertificateExpiryCheck(description, source, period, clock);
    }

    /** The same check reading time from {@code clock} (tests). */
    public CertificateExpiryCheck withClock(Clock clock) {
        return new CertificateExpiryCheck(description, source, warnBefore, Objects.requireNonNull(clock, "clock must not be null"));
    }

    @Override
    public HealthResult check() {
        List<X509Certificate> certs;
        try {
            certs = source.certificates();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return HealthResult.down(e, Map.of("source", description));
        }
        if (certs.isEmpty()) {
            return HealthResult.down("no certificate in " + description).withDetail("source", description);
        }
        Instant now = clock.instant();
        X509Certificate soonest = certs.get(0);
        List<String> invalid = new ArrayList<>();
        List<String> expiring = new ArrayList<>();
        for (X509Certificate c : certs) {
            Instant notAfter = c.getNotAfter().toInstant();
            String name = c.getSubjectX500Principal().getName();
            if (notAfter.isBefore(now)) {
                invalid.add(name + " expired " + notAfter);
            } else if (c.getNotBefore().toInstant().isAfter(now)) {
                invalid.add(name + " not valid before " + c.getNotBefore().toInstant());
            } else if (notAfter.isBefore(now.plus(warnBefore))) {
                expiring.add(name + " expires " + notAfter);
            }
            if (notAfter.isBefore(soonest.getNotAfter().toInstant())) {
                soonest = c;
            }
        }
        Instant notAfter = soonest.getNotAfter().toInstant();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("source", description);
        details.put("certificates", certs.size());
        details.put("soonest", soonest.getSubjectX500Principal().getName());
        details.put("notAfter", notAfter.toString());
        details.put("daysLeft", Math.floorDiv(Duration.between(now, notAfter).toHours(), 24));
        details.put("warnDays", warnBefore.toDays());
        if (!invalid.isEmpty()) {
            details.put("invalid", String.join("; ", invalid));
            return HealthResult.of(HealthStatus.DOWN, details)
                    .withError("CertificateInvalid", invalid.size() + " certificate(s) of " + description + " not valid now: " + invalid.get(0));
        }
        if (!expiring.isEmpty()) {
            details.put("expiringSoon", String.join("; ", expiring));
            return HealthResult.degraded(details);
        }
        return HealthResult.up(details);
    }

    /** Accepts any chain and keeps it: this check reports expiry, trust is the client's business. */
    private static final class RecordingTrustManager implements X509TrustManager {
        private final List<X509Certificate> seen;

        RecordingTrustManager(List<X509Certificate> seen) {
            this.seen = seen;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client certificates are not checked");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            seen.clear();
            Collections.addAll(seen, chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
