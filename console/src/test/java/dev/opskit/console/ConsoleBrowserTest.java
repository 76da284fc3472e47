package dev.opskit.console;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetterStatus;
import dev.opskit.jobqueue.JobRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium): load it, filter the dead letters, replay one and watch it leave the list.
 * A screenshot goes to {@code console/target/screenshots/}. Skipped, saying why, when Chromium or its
 * driver is not installed, unless {@code OPSKIT_REQUIRE_BROWSER=1} (set by {@code .ci/run} when it
 * installed them), where their absence fails the test.
 */
@ExtendWith(PostgresExtension.class)
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestDatabase db;

    ConsoleBrowserTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void anOperatorFiltersTheDeadLettersReplaysOneAndSeesItGo() throws Exception {
        Optional<Path> browser = firstExisting(System.getenv("OPSKIT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome");
        Optional<Path> driverBinary = firstExisting(System.getenv("OPSKIT_CHROMEDRIVER"), "/usr/bin/chromedriver",
                "/usr/lib/chromium/chromedriver");
        if (browser.isEmpty() || driverBinary.isEmpty()) {
            String why = "no " + (browser.isEmpty() ? "Chromium (/usr/bin/chromium)" : "chromedriver (/usr/bin/chromedriver)")
                    + " installed: apt-get install -y chromium chromium-driver";
            assertThat("1".equals(System.getenv("OPSKIT_REQUIRE_BROWSER"))).as("OPSKIT_REQUIRE_BROWSER=1 but " + why).isFalse();
            Assumptions.abort("browser test skipped: " + why);
        }

        try (ConsoleFixture f = new ConsoleFixture(db, b -> b.token("ops", ConsoleFixture.TOKEN))) {
            f.queue.enqueue(JobRequest.builder("send-email").queue("emails").payload("{\"to\":\"a@example.com\"}").build());
            long first = f.letter("webhook:stripe", "invoice.paid", "502 Bad Gateway from partner");
            long second = f.letter("webhook:stripe", "invoice.failed", "timeout after 10 s");
            long other = f.letter("webhook:github", "push", "410 Gone");

            ChromeOptions options = new ChromeOptions();
            options.setBinary(browser.get().toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,1400", "--no-first-run", "--disable-extensions");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(driverBinary.get().toFile()).usingAnyFreePort().build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, WAIT);
                driver.get(f.base());
                wait.until(d -> letterIds(d).size() == 3);
                assertThat(letterIds(driver)).containsExactly(first, second, other);
                wait.until(d -> !d.findElements(By.cssSelector("#queue-table tbody tr[data-queue='emails']")).isEmpty());
                assertThat(driver.findElements(By.cssSelector("#throughput-chart text"))).isNotEmpty();

                driver.findElement(By.id("operator")).sendKeys("alice");
                driver.findElement(By.id("token")).sendKeys(ConsoleFixture.TOKEN);
                driver.findElement(By.id("save-token")).click();
                assertThat(driver.findElement(By.id("mode")).getText()).isEqualTo("actions as alice");

                driver.findElement(By.id("letter-source")).sendKeys("webhook:stripe");
                driver.findElement(By.id("letter-apply")).click();
                wait.until(d -> letterIds(d).equals(List.of(first, second)));

                driver.findElement(By.cssSelector("#letter-table tr[data-id='" + first + "'] button.replay")).click();
                wait.until(d -> letterIds(d).equals(List.of(second)));
                assertThat(driver.findElement(By.id("flash")).getText()).isEqualTo("1 replayed");
                assertThat(f.redelivered).extracting(l -> l.id()).containsExactly(first);
                assertThat(f.queue.deadLetters().get(first).orElseThrow().status()).isEqualTo(DeadLetterStatus.REPLAYED);

                driver.findElement(By.cssSelector("#letter-table tr[data-id='" + second + "'] td.clickable")).click();
                wait.until(d -> d.findElement(By.id("letter-detail")).getText().contains("timeout after 10 s"));

                Path dir = Path.of("target", "screenshots");
                Files.createDirectories(dir);
                File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
                Path target = dir.resolve("console-dead-letters.png");
                Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
                assertThat(Files.size(target)).isPositive();
            } finally {
                driver.quit();
            }
        }
    }

    private static List<Long> letterIds(WebDriver d) {
        // read in one script, so a table being re-rendered meanwhile cannot leave a stale element
        Object ids = ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#letter-table tbody tr[data-id]')].map(e => e.dataset.id);");
        return ((List<?>) ids).stream().map(o -> Long.parseLong(String.valueOf(o))).toList();
    }

    private static Optional<Path> firstExisting(String... candidates) {
        return Stream.of(candidates).filter(c -> c != null && !c.isBlank()).map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
