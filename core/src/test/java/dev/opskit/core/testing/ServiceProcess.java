package dev.opskit.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application started as its own JVM for an end-to-end test, and HTTP to it on 127.0.0.1: the
 * examples' tests drive their service the way an operator would. A daemon thread keeps the
 * process's output (stderr merged) in memory and copies it to a log file.
 *
 * <p>Failures are plain {@link AssertionError}s that carry the process's output.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final int httpPort;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(String name, int httpPort, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.process = process;
    }

    /**
     * Starts {@code main} from the test class path with at most 256 MB of heap, in this JVM's
     * environment without the variables {@code unset} and with those of {@code set}.
     *
     * @param name what failure messages call it, for example {@code "the service"}
     * @param httpPort the port it serves HTTP on (the caller passes it in {@code set})
     * @param log the file its output is copied to
     */
    public static ServiceProcess start(String name, Class<?> main, int httpPort, List<String> unset, Map<String, String> set,
            Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, main.getName());
        Map<String, String> env = pb.environment();
        unset.forEach(env::remove);
        env.putAll(set);
        pb.redirectErrorStream(true);
        ServiceProcess service = new ServiceProcess(name, httpPort, pb.start());
        service.copyOutputTo(log, main.getSimpleName() + "-output");
        return service;
    }

    private void copyOutputTo(Path log, String threadName) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        PrintWriter copy = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    copy.println(line);
                }
            } catch (IOException e) {
                output.add("(reading the output failed: " + e + ")");
            } finally {
                copy.close();
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    /** The process, for signals ({@code toHandle().destroy()} is SIGTERM), its exit and its status. */
    public Process process() {
        return process;
    }

    /** Its output so far, one line a line. */
    public String output() {
        return String.join("\n", output);
    }

    /**
     * Polls {@code readinessPath} until it answers 200.
     *
     * @throws AssertionError when the process exits first, or {@code within} passes
     */
    public void awaitReady(String readinessPath, Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw failure("%s exited with status %d before it was ready; output:%n%s", name, process.exitValue(), output());
            }
            try {
                if (get(readinessPath).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw failure("%s was not ready within %s; output:%n%s", name, within, output());
    }

    /**
     * Polls the JSON endpoint {@code path} every 200 ms until {@code condition} holds; returns that answer.
     *
     * @throws AssertionError when {@code within} passes first, with the last answer
     */
    public JsonNode await(String path, String what, Duration within, Predicate<JsonNode> condition)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = json(get(path));
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw failure("waited %s for: %s; last answer of %s:%n%s", within, what, path, last == null ? "none" : last.toPrettyString());
    }

    /** {@code GET path}, with a timeout of 30 s. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST path} with no body, with a timeout of 30 s; the caller checks the answer. */
    public HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** Stops the process if it still runs: SIGTERM, then SIGKILL after 60 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The body of {@code response} as JSON. */
    public static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /**
     * The jobs in every state of every queue of an example's {@code /status} answer
     * ({@code {"jobs": {"<queue>": {"available": n, ...}}}}).
     */
    public static int totalJobs(JsonNode status) {
        int total = 0;
        for (JsonNode queue : status.path("jobs")) {
            for (String state : List.of("available", "running", "completed", "cancelled", "dead")) {
                total += queue.path(state).asInt();
            }
        }
        return total;
    }

    /**
     * The first match of {@code regex} in {@code text}.
     *
     * @throws AssertionError with the text when nothing matches
     */
    public static Matcher find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw failure("the output has no line matching /%s/; output:%n%s", regex, text);
        }
        return m;
    }

    /** A port that nothing listened on a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** True when something on 127.0.0.1 accepts a connection on {@code port}. */
    public static boolean portAcceptsConnections(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static AssertionError failure(String format, Object... args) {
        return new AssertionError(String.format(format, args));
    }
}
