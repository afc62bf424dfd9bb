package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.contactrouter.access.Passwords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The agent desktop ({@code /agent}) and the supervisor view ({@code /ops}) in a real browser, against a whole server
 * (embedded Kafka, ledger, routing loop): customers write in the server's own chat page, agents work in the desktop,
 * and every assertion is on what the pages show. Needs Debian's chromium and chromium-driver; without them the tests
 * fail, saying how to install them. One server for the class; each test uses its own customers and browsers, and
 * leaves both agents offline.
 */
class AgentDesktopBrowserTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String ANN_PASSWORD = "ann-desk-password";
    private static final String BOB_PASSWORD = "bob-desk-password";

    @TempDir
    static Path tmp;

    /** Shared by the host site's backend and the router, to vouch for signed-in visitors. */
    private static final byte[] VISITOR_SECRET = "a host site's secret of 32 bytes".getBytes(StandardCharsets.UTF_8);

    private static RouterServer server;
    private static ServerClient client;
    private static String base;
    /** The business's own web site, on another origin, embedding the widget for its signed-in customers. */
    private static com.sun.net.httpserver.HttpServer hostSite;

    private final List<WebDriver> browsers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        Path config = tmp.resolve("server").resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("agents.yaml"), """
                skills: [support]
                agents:
                  - id: ann
                    name: Ann Example
                    skills: { support: 3 }
                    password: "%s"
                    role: supervisor
                  - id: bob
                    name: Bob Example
                    skills: { support: 3 }
                    password: "%s"
                """.formatted(Passwords.hash(ANN_PASSWORD.toCharArray()), Passwords.hash(BOB_PASSWORD.toCharArray())));
        hostSite = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hostSite.createContext("/account", exchange -> {
            // The host site's page for its signed-in customer: the widget's tag with a visitor token its backend signed.
            java.util.Map<String, String> query = new java.util.HashMap<>();
            for (String pair : exchange.getRequestURI().getQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            byte[] page = ("""
                    <!doctype html><html lang="en"><head><title>Your account</title></head><body>
                    <h1>Your account</h1>
                    <script src="%s/chat/widget.js" data-visitor-token="%s"></script>
                    </body></html>""".formatted(base, visitorToken(query.get("email"), query.get("name"))))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        hostSite.start();
        Files.writeString(config.resolve("router.yaml"), """
                channels:
                  chat:
                    enabled: true
                    widgetId: website
                    allowedOrigins: [http://127.0.0.1:%d]
                """.formatted(hostSite.getAddress().getPort()));
        String secret = java.util.Base64.getEncoder().encodeToString(VISITOR_SECRET);
        server = TestServers.start(tmp.resolve("server"), v -> v.equals("ROUTER_CHAT_VISITOR_SECRET") ? secret : null);
        await().atMost(Duration.ofSeconds(30)).until(server::isReady);
        client = new ServerClient(server);
        base = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        if (hostSite != null) {
            hostSite.stop(0);
        }
    }

    /**
     * What the host site's backend signs for a signed-in customer (docs/channels.md): base64url of the JSON payload,
     * a dot, base64url of the HMAC-SHA256 of the payload's bytes.
     */
    private static String visitorToken(String email, String name) {
        try {
            java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
            byte[] payload = ServerClient.JSON.writeValueAsBytes(java.util.Map.of("email", email, "name", name,
                    "exp", java.time.Instant.now().plus(Duration.ofHours(1)).getEpochSecond()));
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(VISITOR_SECRET, "HmacSHA256"));
            return b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeBrowsersAndSignAgentsOff() throws Exception {
        for (WebDriver b : browsers) {
            b.quit();
        }
        for (String[] agent : List.of(new String[] {"ann", ANN_PASSWORD}, new String[] {"bob", BOB_PASSWORD})) {
            String token = login(agent[0], agent[1]);
            agentPost(token, "/api/agent/presence", "{\"presence\":\"offline\"}");
        }
    }

    // ------------------------------------------------------------------ the scenarios

    @Test
    void aCustomerChatsAnAgentSeesTheOfferByNameAcceptsAndTheReplyReachesTheWidget() throws Exception {
        WebDriver customer = browser();
        SearchContext widget = startChat(customer, "Lena Vogel", null, "Hello, my last invoice is wrong.");

        WebDriver ann = browser();
        ann.get(base + "/agent");
        signIn(ann, "ann", "not-the-password");
        awaitText(ann, By.id("signin-message"), "Sign-in failed: unknown agent or wrong password");
        signIn(ann, "ann", ANN_PASSWORD);
        awaitText(ann, By.id("agent-name"), "Ann Example");
        awaitText(ann, By.id("connection"), "Live");
        ann.findElement(By.cssSelector("#presence input[value=available]")).click();
        awaitText(ann, By.id("presence-now"), "Router: available");

        WebElement offer = awaitElement(() -> offerFor(ann, "Lena Vogel"));
        assertThat(offer.getText()).contains("Chat", "queue support", "waiting", "Hello, my last invoice is wrong.")
                .containsPattern("Answer within \\d+ s");
        offer.findElement(By.cssSelector("button.accept")).click();

        WebElement conversation = awaitElement(() -> conversationWith(ann, "Lena Vogel"));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Lena Vogel")
                .findElement(By.cssSelector("ol.log")).getText()).contains("Hello, my last invoice is wrong."));
        assertThat(conversation.findElement(By.cssSelector("form.reply label")).getText()).isEqualTo("Reply in the chat");
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(ann.findElements(
                By.cssSelector("#offers article.offer"))).as("the accepted offer is gone").isEmpty());
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() ->
                assertThat(ann.findElement(By.id("load")).getText()).contains("Chat 1"));

        // A transfer without a note is not sent; the page says why.
        conversation.findElement(By.xpath(".//details[summary='Transfer']/summary")).click();
        choose(conversation.findElement(By.cssSelector("form.transfer select")), "Queue support");
        conversation.findElement(By.cssSelector("form.transfer button[type=submit]")).click();
        assertThat(conversation.findElement(By.cssSelector(".error")).getText())
                .isEqualTo("A transfer needs a note for whoever takes over.");

        conversation.findElement(By.cssSelector("form.reply textarea")).sendKeys("Hi Lena, I am looking at it now.");
        conversation.findElement(By.cssSelector("form.reply button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Lena Vogel")
                .findElement(By.cssSelector("ol.log li.agent")).getText()).contains("Ann Example")
                .contains("Hi Lena, I am looking at it now."));

        // The customer sees the agent's name and the reply, and writes back; the agent sees it live.
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(widget(customer).findElement(By.cssSelector("#title")).getText())
                    .isEqualTo("Chatting with Ann Example");
            assertThat(widget(customer).findElement(By.cssSelector("ol.log")).getText())
                    .contains("Hi Lena, I am looking at it now.").contains("Ann Example");
        });
        widget(customer).findElement(By.cssSelector("#text")).sendKeys("Thank you! It is invoice 4711.", Keys.ENTER);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Lena Vogel")
                .findElement(By.cssSelector("ol.log")).getText()).contains("Thank you! It is invoice 4711."));

        // The supervisor view (Ann is the team lead: her sign-in in this tab opens it) shows the queue, Ann with her
        // chat, and why the contact went to her.
        ann.get(base + "/ops");
        String version = client.get("/api/config").path("version").asText();
        awaitText(ann, By.id("config-version"), version);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(ann.findElement(By.cssSelector("#queues tbody")).getText()).contains("support");
            assertThat(ann.findElement(By.cssSelector("#agents tbody")).getText())
                    .contains("Ann Example (ann)").contains("Bob Example (bob)").contains("Chat 1");
            assertThat(ann.findElement(By.cssSelector("#contacts tbody")).getText()).contains("Ann Example");
            assertThat(ann.findElement(By.cssSelector("#decisions tbody")).getText()).contains("assigned")
                    .contains("offered").contains("candidates: Ann Example chosen").contains("queue support");
        });
        assertThat(ann.findElement(By.id("config-reload")).getText()).isEqualTo("none since start");
        screenshot(ann, "ops.png");

        // Back at the desk (same tab): still signed in, the conversation restored from the router and the ledger.
        ann.get(base + "/agent");
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Lena Vogel")
                .findElement(By.cssSelector("ol.log")).getText()).contains("Hello, my last invoice is wrong.")
                .contains("Hi Lena, I am looking at it now.").contains("Thank you! It is invoice 4711."));
        WebElement again = conversationWith(ann, "Lena Vogel");
        again.findElement(By.xpath(".//details[summary='Wrap up']/summary")).click();
        again.findElement(By.cssSelector("form.wrap-up input[name=disposition]")).sendKeys("solved");
        again.findElement(By.cssSelector("form.wrap-up button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> ann.findElements(By.cssSelector("section.conversation")).isEmpty());
        awaitText(ann, By.id("notices"), "Wrapped up Lena Vogel: solved.");
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(Integer.parseInt(ann.findElement(By.id("handled-today")).getText())).isPositive();
            assertThat(ann.findElement(By.id("handle-time")).getText()).matches("\\d+ (s|min \\d\\d s)");
        });
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(widget(customer)
                .findElement(By.cssSelector("ol.log")).getText()).contains("This conversation is closed"));
    }

    @Test
    void aTransferWithANoteReachesTheSecondAgentWithTheHistoryAndTheCustomerIsToldWhoTakesOver() throws Exception {
        // Kim wrote by email last time; Ann handled it and left a note.
        handleEarlierEmail("kim.lee@example.test", "Kim Lee", "Upgrade to 1 Gbit",
                "Wants the fibre upgrade in March.");

        // Kim is signed in on the business's web site: its page vouches for her address, so the chat is hers.
        WebDriver customer = browser();
        customer.get("http://127.0.0.1:" + hostSite.getAddress().getPort() + "/account?email="
                + java.net.URLEncoder.encode("kim.lee@example.test", StandardCharsets.UTF_8) + "&name=Kim+Lee");
        openWidget(customer, "Kim Lee", null, "My router keeps rebooting since this morning.");

        WebDriver ann = browser();
        ann.get(base + "/agent");
        signIn(ann, "ann", ANN_PASSWORD);
        awaitText(ann, By.id("connection"), "Live");
        ann.findElement(By.cssSelector("#presence input[value=available]")).click();
        awaitElement(() -> offerFor(ann, "Kim Lee")).findElement(By.cssSelector("button.accept")).click();
        WebElement atAnn = awaitElement(() -> conversationWith(ann, "Kim Lee"));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Kim Lee")
                .findElement(By.cssSelector("details.history")).getText())
                .contains("Earlier contacts (1)", "Email", "handled by Ann Example", "resolved", "Upgrade to 1 Gbit",
                        "Note: Wants the fibre upgrade in March."));
        assertThat(atAnn.findElement(By.cssSelector(".identities")).getText()).contains("kim.lee@example.test");

        WebDriver bob = browser();
        bob.get(base + "/agent");
        signIn(bob, "bob", BOB_PASSWORD);
        awaitText(bob, By.id("agent-name"), "Bob Example");
        awaitText(bob, By.id("connection"), "Live");
        bob.findElement(By.cssSelector("#presence input[value=available]")).click();
        awaitText(bob, By.id("presence-now"), "Router: available");

        atAnn.findElement(By.xpath(".//details[summary='Transfer']/summary")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> choose(conversationWith(ann, "Kim Lee")
                .findElement(By.cssSelector("form.transfer select")), "Bob Example"));
        atAnn.findElement(By.cssSelector("form.transfer textarea"))
                .sendKeys("Router reboots every hour; a technician visit is needed, mornings suit her.");
        atAnn.findElement(By.cssSelector("form.transfer button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> conversationOrNull(ann, "Kim Lee") == null);
        awaitText(ann, By.id("notices"), "You transferred Kim Lee to Bob Example.");

        WebElement offer = awaitElement(() -> offerFor(bob, "Kim Lee"));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(offerFor(bob, "Kim Lee").getText())
                .contains("Transferred by Ann Example: “Router reboots every hour; a technician visit is needed, "
                        + "mornings suit her.”")
                .contains("My router keeps rebooting since this morning."));
        offer.findElement(By.cssSelector("button.accept")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            WebElement atBob = conversationWith(bob, "Kim Lee");
            assertThat(atBob.findElement(By.cssSelector(".transfer-note")).getText()).isEqualTo(
                    "Transferred to you by Ann Example: “Router reboots every hour; a technician visit is needed, "
                            + "mornings suit her.”");
            assertThat(atBob.findElement(By.cssSelector("details.history")).getText())
                    .contains("Earlier contacts (1)", "handled by Ann Example", "Note: Wants the fibre upgrade in March.");
            assertThat(atBob.findElement(By.cssSelector("ol.log")).getText())
                    .contains("My router keeps rebooting since this morning.", "Bob Example took the conversation");
        });

        // The customer is told who takes over.
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(widget(customer).findElement(By.cssSelector("#title")).getText())
                    .isEqualTo("Chatting with Bob Example");
            assertThat(widget(customer).findElement(By.cssSelector("ol.log")).getText())
                    .contains("Bob Example takes over your conversation");
        });
        WebElement atBob = conversationWith(bob, "Kim Lee");
        atBob.findElement(By.cssSelector("form.reply textarea")).sendKeys("Hello Kim, I am booking the technician.");
        atBob.findElement(By.cssSelector("form.reply button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(widget(customer)
                .findElement(By.cssSelector("ol.log")).getText()).contains("Hello Kim, I am booking the technician."));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(bob.findElement(By.id("load")).getText()).contains("Chat 1");
            assertThat(bob.findElement(By.id("handled-today")).getText()).isEqualTo("1");
        });
        screenshot(bob, "agent-desktop.png");

        // A second transfer is over the limit: the router's refusal is shown, and the conversation stays.
        atBob.findElement(By.xpath(".//details[summary='Transfer']/summary")).click();
        choose(atBob.findElement(By.cssSelector("form.transfer select")), "Queue support");
        atBob.findElement(By.cssSelector("form.transfer textarea")).sendKeys("Back to the queue, please.");
        atBob.findElement(By.cssSelector("form.transfer button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(bob, "Kim Lee")
                .findElement(By.cssSelector(".error")).getText())
                .startsWith("The transfer was refused: contact ").endsWith("was transferred 1 time(s) already; the "
                        + "limit is 1."));
        screenshot(bob, "agent-desktop-refused.png");

        atBob.findElement(By.xpath(".//details[summary='Wrap up']/summary")).click();
        atBob.findElement(By.cssSelector("form.wrap-up input[name=disposition]")).sendKeys("technician-booked");
        atBob.findElement(By.cssSelector("form.wrap-up button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> conversationOrNull(bob, "Kim Lee") == null);
    }

    @Test
    void aWrapUpWithAFollowUpBringsTheFollowUpBackToTheSameAgentWhenDue() throws Exception {
        WebDriver customer = browser();
        // Omar types an address on the server's own chat page: a claim the desktop shows as such.
        startChat(customer, "Omar Said", "omar.said@example.test", "Please call me back about my contract.");

        WebDriver ann = browser();
        ann.get(base + "/agent");
        signIn(ann, "ann", ANN_PASSWORD);
        awaitText(ann, By.id("connection"), "Live");
        ann.findElement(By.cssSelector("#presence input[value=available]")).click();
        awaitElement(() -> offerFor(ann, "Omar Said")).findElement(By.cssSelector("button.accept")).click();
        WebElement conversation = awaitElement(() -> conversationWith(ann, "Omar Said"));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Omar Said")
                .findElement(By.cssSelector(".identities")).getText())
                .contains("says omar.said@example.test (not verified"));

        conversation.findElement(By.cssSelector("form.note textarea")).sendKeys("Contract ends in June.");
        conversation.findElement(By.cssSelector("form.note button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(conversationWith(ann, "Omar Said")
                .findElement(By.cssSelector("ol.log li.note")).getText()).contains("Note by Ann Example")
                .contains("Contract ends in June."));

        conversation.findElement(By.xpath(".//details[summary='Wrap up']/summary")).click();
        conversation.findElement(By.cssSelector("form.wrap-up button[type=submit]")).click();
        assertThat(conversation.findElement(By.cssSelector(".error")).getText())
                .isEqualTo("Give a disposition (what came of it) to wrap up.");
        conversation.findElement(By.cssSelector("form.wrap-up input[name=disposition]")).sendKeys("callback");
        // The date-time picker's typing order depends on the browser's locale; the field is set as a picker sets it.
        ((ChromeDriver) ann).executeScript("""
                const at = new Date(Date.now() + 6000), two = (n) => String(n).padStart(2, '0');
                arguments[0].value = at.getFullYear() + '-' + two(at.getMonth() + 1) + '-' + two(at.getDate()) + 'T'
                    + two(at.getHours()) + ':' + two(at.getMinutes()) + ':' + two(at.getSeconds());""",
                conversation.findElement(By.cssSelector("form.wrap-up input[name=follow-up-at]")));
        conversation.findElement(By.cssSelector("form.wrap-up input[name=follow-up-note]"))
                .sendKeys("Call Omar about the new contract.");
        conversation.findElement(By.cssSelector("form.wrap-up button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> conversationOrNull(ann, "Omar Said") == null);
        awaitText(ann, By.id("notices"), "Follow-up scheduled for");

        // When due, the follow-up comes back to Ann as an offer, with the customer's name and the note.
        WebElement followUp = awaitElement(() -> offerFor(ann, "Omar Said"));
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(offerFor(ann, "Omar Said").getText())
                .contains("Follow-up: Call Omar about the new contract.").contains("Chat"));
        followUp.findElement(By.cssSelector("button.accept")).click();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            WebElement c = conversationWith(ann, "Omar Said");
            assertThat(c.findElement(By.cssSelector(".follow-up")).getText())
                    .isEqualTo("Follow-up: Call Omar about the new contract.");
            assertThat(c.findElement(By.cssSelector("details.history")).getText())
                    .contains("Earlier contacts (1)", "handled by Ann Example", "callback", "Note: Contract ends in June.");
        });
        WebElement again = conversationWith(ann, "Omar Said");
        again.findElement(By.xpath(".//details[summary='Wrap up']/summary")).click();
        again.findElement(By.cssSelector("form.wrap-up input[name=disposition]")).sendKeys("solved");
        again.findElement(By.cssSelector("form.wrap-up button[type=submit]")).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> conversationOrNull(ann, "Omar Said") == null);
    }

    @Test
    void thePagesAreServedWithTheirTypesAndAreRevalidatedByETag() throws Exception {
        for (String[] page : List.of(new String[] {"/agent", "text/html"}, new String[] {"/agent/desktop.js",
                "text/javascript"}, new String[] {"/agent/desktop.css", "text/css"}, new String[] {"/ops", "text/html"},
                new String[] {"/ops/ops.js", "text/javascript"}, new String[] {"/ops/ops.css", "text/css"})) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(client.uri(page[0])).build());
            assertThat(r.statusCode()).as(page[0]).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(page[0]).hasValue(page[1] + "; charset=utf-8");
            assertThat(r.headers().firstValue("cache-control")).as(page[0]).hasValue("no-cache");
            assertThat(r.headers().firstValue("content-security-policy").orElse("")).contains("default-src 'self'");
            String etag = r.headers().firstValue("etag").orElseThrow();
            HttpResponse<String> again = client.send(HttpRequest.newBuilder(client.uri(page[0]))
                    .header("If-None-Match", etag).build());
            assertThat(again.statusCode()).as(page[0] + " unchanged").isEqualTo(304);
            assertThat(again.body()).isEmpty();
            HttpResponse<String> other = client.send(HttpRequest.newBuilder(client.uri(page[0]))
                    .header("If-None-Match", "\"something-else\"").build());
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.body()).isEqualTo(r.body());
        }
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/agent")).build()).body())
                .contains("<script src=\"/agent/desktop.js\" defer></script>");
    }

    // ------------------------------------------------------------------ the pages

    private static void signIn(WebDriver b, String agentId, String password) {
        WebElement id = b.findElement(By.id("signin-agent"));
        await().atMost(PATIENCE).until(id::isDisplayed);
        id.clear();
        id.sendKeys(agentId);
        WebElement pw = b.findElement(By.id("signin-password"));
        pw.clear();
        pw.sendKeys(password, Keys.ENTER);
    }

    /** Picks the option of a select whose text starts so, as a person does. */
    private static void choose(WebElement select, String option) {
        select.findElement(By.xpath(".//option[starts-with(normalize-space(), '" + option + "')]")).click();
        assertThat(select.getDomProperty("value")).isNotEmpty();
    }

    private static WebElement offerFor(WebDriver b, String customer) {
        return b.findElements(By.cssSelector("#offers article.offer")).stream()
                .filter(o -> o.findElement(By.cssSelector("h3")).getText().equals(customer)).findFirst().orElse(null);
    }

    private static WebElement conversationOrNull(WebDriver b, String customer) {
        return b.findElements(By.cssSelector("#conversations section.conversation")).stream()
                .filter(s -> s.findElement(By.cssSelector("h3")).getText().equals(customer)).findFirst().orElse(null);
    }

    private static WebElement conversationWith(WebDriver b, String customer) {
        WebElement c = conversationOrNull(b, customer);
        assertThat(c).as("a conversation with %s on the desktop", customer).isNotNull();
        return c;
    }

    private static WebElement awaitElement(Supplier<WebElement> find) {
        return await().atMost(PATIENCE).ignoreExceptions().until(find::get, e -> e != null);
    }

    private static void awaitText(WebDriver b, By where, String text) {
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() ->
                assertThat(b.findElement(where).getText()).contains(text));
    }

    /** Opens the server's chat page as a customer, gives name (and email) and writes the first message. */
    private SearchContext startChat(WebDriver b, String name, String email, String text) {
        b.get(base + "/chat");
        return openWidget(b, name, email, text);
    }

    /** Opens the widget on the page {@code b} shows, introduces the customer and sends the first message. */
    private SearchContext openWidget(WebDriver b, String name, String email, String text) {
        widget(b).findElement(By.cssSelector(".launcher")).click();
        widget(b).findElement(By.cssSelector("#name")).sendKeys(name);
        if (email != null) {
            widget(b).findElement(By.cssSelector("#email")).sendKeys(email);
        }
        widget(b).findElement(By.cssSelector("form.intro button[type=submit]")).click();
        widget(b).findElement(By.cssSelector("#text")).sendKeys(text, Keys.ENTER);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(widget(b)
                .findElement(By.cssSelector("ol.log")).getText()).contains("Thank you for contacting us."));
        return widget(b);
    }

    private static SearchContext widget(WebDriver b) {
        return await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> b.findElement(By.id("contact-router-chat")).getShadowRoot(), r -> r != null);
    }

    // ------------------------------------------------------------------ set-up through the API

    /** An earlier email contact of the customer, handled and wrapped up by Ann through the API, with a note. */
    private static void handleEarlierEmail(String email, String name, String subject, String note) throws Exception {
        String token = login("ann", ANN_PASSWORD);
        assertThat(agentPost(token, "/api/agent/presence", "{\"presence\":\"available\"}").statusCode()).isEqualTo(200);
        assertThat(client.post("/api/contacts", """
                {"id": "earlier-%s", "channel": "email", "customer": {"name": "%s", "email": "%s"},
                 "subject": "%s", "text": "Can I get the faster line?"}""".formatted(email, name, email, subject))
                .statusCode()).isEqualTo(202);
        JsonNode offered = await().atMost(PATIENCE).until(() -> agentGet(token, "/api/agent/me").path("contacts"),
                contacts -> contacts.size() == 1 && "ann".equals(contacts.get(0).path("offeredTo").asText()))
                .get(0);
        String contactId = offered.path("contactId").asText();
        assertThat(agentPost(token, "/api/agent/offers/" + offered.path("offerId").asText() + "/accept", "")
                .statusCode()).isEqualTo(200);
        assertThat(agentPost(token, "/api/agent/contacts/" + contactId + "/notes", "{\"text\":\"" + note + "\"}")
                .statusCode()).isEqualTo(200);
        assertThat(agentPost(token, "/api/agent/contacts/" + contactId + "/wrap-up", "{\"disposition\":\"resolved\"}")
                .statusCode()).isEqualTo(200);
        assertThat(agentPost(token, "/api/agent/presence", "{\"presence\":\"offline\"}").statusCode()).isEqualTo(200);
        await().atMost(PATIENCE).until(() -> client.get("/api/contacts/" + contactId),
                c -> c != null && ServerClient.has(c, "wrapped-up") && ServerClient.has(c, "note-added"));
    }

    private static String login(String agentId, String password) throws Exception {
        HttpResponse<String> r = client.post("/api/agent/login",
                "{\"agentId\":\"" + agentId + "\",\"password\":\"" + password + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerClient.JSON.readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> agentPost(String token, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(client.uri(path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static JsonNode agentGet(String token, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(client.uri(path))
                .header("Authorization", "Bearer " + token).build());
        assertThat(r.statusCode()).isEqualTo(200);
        return ServerClient.JSON.readTree(r.body());
    }

    // ------------------------------------------------------------------ the browser

    /** A fresh headless Chromium with its own profile, closed after the test. */
    private WebDriver browser() throws Exception {
        File chromium = new File(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        File driver = new File(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
        if (!chromium.canExecute() || !driver.canExecute()) {
            fail("The agent desktop's browser tests need Chromium and its driver at " + chromium + " and " + driver
                    + " (or -Dchromium.binary=... -Dchromedriver.binary=...). Install them: "
                    + "apt-get install -y chromium chromium-driver");
        }
        Path profile = Files.createTempDirectory(tmp, "profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1366,900", "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
                .usingAnyFreePort().build();
        WebDriver b = new ChromeDriver(service, options);
        browsers.add(b);
        return b;
    }

    /** For the documentation: target/screenshots/{name}. */
    private static void screenshot(WebDriver b, String name) throws Exception {
        Path shot = ((ChromeDriver) b).getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target", "screenshots", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
