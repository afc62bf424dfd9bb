package org.contactrouter.channels.webchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OutboundKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The widget in a real browser: headless Chromium opens the server's {@code /chat} page, the visitor gives a name
 * and writes, the agent answers, the page is reloaded. Needs Debian's chromium and chromium-driver (CI installs them);
 * without them the test fails, saying how to install them.
 */
class ChatBrowserTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @TempDir
    Path profile;

    private ChatFixture f;
    private WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        File chromium = new File(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        File driver = new File(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
        if (!chromium.canExecute() || !driver.canExecute()) {
            fail("The web chat's browser test needs Chromium and its driver at " + chromium + " and " + driver
                    + " (or -Dchromium.binary=... -Dchromedriver.binary=...). Install them: apt-get install -y chromium chromium-driver");
        }
        f = new ChatFixture();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1100,800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aVisitorChatsWithAnAgentAndKeepsTheConversationOverAReload() throws Exception {
        browser.get("http://127.0.0.1:" + f.port() + "/chat");
        SearchContext widget = widget();
        widget.findElement(By.cssSelector(".launcher")).click();
        widget.findElement(By.cssSelector("#name")).sendKeys("Ann Lee");
        widget.findElement(By.cssSelector("#email")).sendKeys("ann.lee@example.com");
        widget.findElement(By.cssSelector("form.intro button[type=submit]")).click();
        assertThat(widget.findElement(By.cssSelector("form.intro")).isDisplayed()).isFalse();
        widget.findElement(By.cssSelector("#text")).sendKeys("Is my refund on its way?", Keys.ENTER);

        await().atMost(PATIENCE).until(() -> f.publisher.events().size() == 1);
        ContactEvent event = f.publisher.events().get(0);
        CustomerMessage message = (CustomerMessage) event.data();
        String session = message.conversation();
        assertThat(event.id()).isEqualTo("chat:" + session + ":1");
        assertThat(message.text()).isEqualTo("Is my refund on its way?");
        assertThat(message.customer().name()).isEqualTo("Ann Lee");
        assertThat(message.customer().identities()).containsExactly(Identity.chatVisitor(session));
        assertThat(message.customer().claimedEmail()).isEqualTo("ann.lee@example.com");
        assertThat(message.endpoint()).isEqualTo("widget-shop");
        Object browserLanguage = ((ChromeDriver) browser).executeScript("return navigator.language");
        assertThat(message.language()).isEqualTo(browserLanguage).isNotNull();
        // acknowledged: the bubble no longer says "Sending…"
        await().atMost(PATIENCE).ignoreExceptions().until(() ->
                widget().findElement(By.cssSelector("li.customer .state")).getText().isEmpty());

        f.chat.observe(ChatConversationTest.out("d1", session, OutboundKind.AGENT_JOINED, "Mia",
                "Mia is now looking after you.", null, null));
        f.chat.observe(ChatConversationTest.out("d2", session, OutboundKind.REPLY, "Mia",
                "Yes, it left our bank yesterday.", null, null));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> heading().equals("Chatting with Mia")
                && log().contains("Yes, it left our bank yesterday."));
        assertThat(log()).contains("Mia is now looking after you.");
        screenshot();

        browser.navigate().refresh();
        widget().findElement(By.cssSelector(".launcher")).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> log().contains("Yes, it left our bank yesterday."));
        assertThat(log()).contains("Is my refund on its way?", "Mia is now looking after you.");
        assertThat(heading()).isEqualTo("Chatting with Mia");
        assertThat(widget().findElement(By.cssSelector("form.intro")).isDisplayed()).isFalse();

        // the reloaded page is live and writes on in the same session
        f.chat.observe(ChatConversationTest.out("d3", session, OutboundKind.REPLY, "Mia", "Anything else?", null, null));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> log().contains("Anything else?"));
        widget().findElement(By.cssSelector("#text")).sendKeys("No, thank you!", Keys.ENTER);
        await().atMost(PATIENCE).until(() -> f.publisher.events().size() == 2);
        assertThat(f.publisher.events().get(1).id()).isEqualTo("chat:" + session + ":2");
        assertThat(f.publisher.events()).extracting(e -> ((CustomerMessage) e.data()).conversation())
                .isEqualTo(List.of(session, session));
    }

    @Test
    void aMessageNotSentCanBeSentAgainAndTheWidgetReconnectsAndResendsByItself() throws Exception {
        browser.get("http://127.0.0.1:" + f.port() + "/chat");
        widget().findElement(By.cssSelector(".launcher")).click();
        widget().findElement(By.cssSelector("form.intro button[type=submit]")).click();
        widget().findElement(By.cssSelector("#text")).sendKeys("first", Keys.ENTER);
        await().atMost(PATIENCE).until(() -> f.publisher.events().size() == 1);
        CustomerMessage first = (CustomerMessage) f.publisher.events().get(0).data();
        String session = first.conversation();
        assertThat(first.customer().name()).isNull();
        assertThat(first.customer().identities()).containsExactly(Identity.chatVisitor(session));

        f.publisher.failing(true);
        widget().findElement(By.cssSelector("#text")).sendKeys("second", Keys.ENTER);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> widget()
                .findElement(By.cssSelector("li.customer[data-seq='2'] .state")).getText().contains("was not sent"));
        f.publisher.failing(false);
        widget().findElement(By.cssSelector("li.customer[data-seq='2'] .state button")).click();
        await().atMost(PATIENCE).until(() -> f.publisher.events().size() == 2);
        assertThat(f.publisher.events().get(1).id()).isEqualTo("chat:" + session + ":2");

        // the connection drops: the widget reconnects to the same session and sends what was typed meanwhile
        f.chat.session(session).sockets().forEach(io.netty.channel.Channel::close);
        widget().findElement(By.cssSelector("#text")).sendKeys("third", Keys.ENTER);
        await().atMost(PATIENCE).until(() -> f.publisher.events().stream().anyMatch(
                e -> e.id().equals("chat:" + session + ":3")));
        assertThat(f.publisher.events()).extracting(e -> ((CustomerMessage) e.data()).text())
                .containsSubsequence("first", "second", "third");
        assertThat(f.publisher.events()).extracting(e -> ((CustomerMessage) e.data()).conversation())
                .containsOnly(session);
        await().atMost(PATIENCE).ignoreExceptions().until(() ->
                widget().findElement(By.cssSelector("li.customer[data-seq='3'] .state")).getText().isEmpty());
        assertThat(log()).containsSubsequence("first", "second", "third");
    }

    /** The widget's shadow root, once the async script has added it. */
    private SearchContext widget() {
        return await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> browser.findElement(By.id("contact-router-chat")).getShadowRoot(), r -> r != null);
    }

    private String heading() {
        return widget().findElement(By.cssSelector("#title")).getText();
    }

    private String log() {
        return widget().findElement(By.cssSelector("ol.log")).getText();
    }

    private void screenshot() {
        try {
            Path shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
            Path target = Path.of("target", "chat-widget.png");
            Files.createDirectories(target.getParent());
            Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (WebDriverException | java.io.IOException e) {
            // the screenshot is for the documentation only
        }
    }
}
