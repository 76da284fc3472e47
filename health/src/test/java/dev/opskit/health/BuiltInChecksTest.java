package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificate expiry (keystore, PEM, remote), heap after GC, HTTP dependency. */
class BuiltInChecksTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    /** A PKCS12 keystore with one self-signed certificate, made by the JDK's keytool. */
    private Path keystore(String name, String startDate, int validityDays) throws Exception {
        Path ks = dir.resolve(name + ".p12");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
                "-validity", String.valueOf(validityDays), "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        if (startDate != null) {
            cmd.addAll(List.of("-startdate", startDate));
        }
        run(cmd);
        return ks;
    }

    private Path pemOf(Path keystore, String alias) throws Exception {
        Path pem = dir.resolve(alias + ".pem");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-exportcert", "-rfc",
                "-alias", alias, "-keystore", keystore.toString(), "-storepass", new String(PASSWORD), "-file", pem.toString()));
        return pem;
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aKeystoreIsUpWhileFarFromExpiryDegradedWithin30DaysAndDownOnceExpired() throws Exception {
        Path ks = keystore("api", null, 10);
        HealthResult soon = CertificateExpiryCheck.keystore(ks, PASSWORD, "PKCS12").check();
        assertThat(soon.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(soon.details()).containsEntry("soonest", "CN=api").containsEntry("certificates", 1)
                .containsKey("expiringSoon").containsKey("notAfter");
        assertThat((long) soon.details().get("daysLeft")).isBetween(9L, 10L);

        assertThat(CertificateExpiryCheck.keystore(ks, PASSWORD, null).warnBefore(Duration.ofDays(5)).check().status())
                .isEqualTo(HealthStatus.UP);
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(11)), ZoneOffset.UTC);
        HealthResult expired = CertificateExpiryCheck.keystore(ks, PASSWORD, "PKCS12").withClock(later).check();
        assertThat(expired.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(expired.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("CN=api expired"));
        assertThat((long) expired.details().get("daysLeft")).isNegative();

        Path future = keystore("future", "+2d", 100);
        assertThat(CertificateExpiryCheck.keystore(future, PASSWORD, "PKCS12").check().errorMessage())
                .hasValueSatisfying(m -> assertThat(m).contains("not valid before"));
    }

    @Test
    void aPemFileAndBadSourcesAreChecked() throws Exception {
        Path pem = pemOf(keystore("web", null, 400), "web");
        HealthResult up = CertificateExpiryCheck.pem(pem).check();
        assertThat(up.status()).isEqualTo(HealthStatus.UP);
        assertThat(up.details()).containsEntry("soonest", "CN=web").containsEntry("source", "pem " + pem);

        Path expiredPem = pemOf(keystore("old", "-20d", 10), "old");
        Files.writeString(dir.resolve("bundle.pem"), Files.readString(pem) + Files.readString(expiredPem));
        HealthResult bundle = CertificateExpiryCheck.pem(dir.resolve("bundle.pem")).check();
        assertThat(bundle.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(bundle.details()).containsEntry("certificates", 2).containsEntry("soonest", "CN=old");

        assertThat(CertificateExpiryCheck.pem(dir.resolve("missing.pem")).check().status()).isEqualTo(HealthStatus.DOWN);
        Files.writeString(dir.resolve("empty.pem"), "");
        assertThat(CertificateExpiryCheck.pem(dir.resolve("empty.pem")).check().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(CertificateExpiryCheck.keystore(pem, PASSWORD, "PKCS12").check().status()).isEqualTo(HealthStatus.DOWN);
        assertThatThrownBy(() -> CertificateExpiryCheck.remote("example.org", 0, Duration.ofSeconds(1)))
                .hasMessageContaining("port must be 1 to 65535, but was 0");
        assertThatThrownBy(() -> CertificateExpiryCheck.pem(pem).warnBefore(Duration.ZERO)).hasMessageContaining("warnBefore must be positive");
    }

    @Test
    void aRemoteServersChainIsReadInAHandshake() throws Exception {
        Path ks = keystore("localhost", null, 20);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(ks.toFile())) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", x -> {
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        try {
            HealthResult r = CertificateExpiryCheck.remote("127.0.0.1", server.getAddress().getPort(), Duration.ofSeconds(5)).check();
            assertThat(r.status()).as(r.toString()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(r.details()).containsEntry("soonest", "CN=localhost");
        } finally {
            server.stop(0);
        }
        HealthResult closed = CertificateExpiryCheck.remote("127.0.0.1", server.getAddress().getPort(), Duration.ofSeconds(2)).check();
        assertThat(closed.status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void heapAfterGcIsMeasuredAgainstTheThreshold() throws Exception {
        System.gc(); // after-GC figures exist from here on
        HealthResult normal = HealthChecks.heapAfterGc(0.9).check();
        assertThat(normal.status()).isEqualTo(HealthStatus.UP);
        assertThat(normal.details()).containsKeys("usedAfterGcBytes", "maxBytes", "ratio").containsEntry("threshold", 0.9);
        assertThat((long) normal.details().get("usedAfterGcBytes")).isPositive();
        HealthResult tiny = HealthChecks.heapAfterGc(Double.MIN_VALUE).check();
        assertThat(tiny.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat((String) tiny.details().get("reason")).contains("of the heap is still in use after GC");
        assertThatThrownBy(() -> HealthChecks.heapAfterGc(90)).hasMessageContaining("degradedAbove must be in (0, 1], like 0.9, but was 90.0");
    }

    @Test
    void anHttpDependencyIsUpOnAnAnswerBelow400AndDownOnErrorsAndTimeouts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.createContext("/broken", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        server.createContext("/slow", x -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            HealthResult ok = HealthChecks.http(URI.create(base + "/ok?token=secret"), Duration.ofSeconds(2)).check();
            assertThat(ok.status()).isEqualTo(HealthStatus.UP);
            assertThat(ok.details()).containsEntry("status", 200).containsEntry("uri", base + "/ok");
            HealthResult broken = HealthChecks.http(URI.create(base + "/broken"), Duration.ofSeconds(2)).check();
            assertThat(broken.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(broken.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("answered 503"));
            long start = System.nanoTime();
            HealthResult slow = HealthChecks.http(URI.create(base + "/slow"), Duration.ofMillis(300)).check();
            assertThat(slow.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(slow.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("within 300 ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            release.countDown();
            server.stop(0);
        }
        assertThatThrownBy(() -> HealthChecks.http(URI.create("ftp://x/"), Duration.ofSeconds(1))).hasMessageContaining("must be http or https");
    }
}
