package org.contactrouter.channels.twilio;

import com.twilio.exception.ApiException;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The Twilio SDK's own HTTP client, with a read timeout we choose and, when an API base URL is set, every request for
 * a {@code *.twilio.com} host sent there instead (same path and query). The SDK builds, signs and parses the requests
 * as it does for Twilio's cloud, so a test against a loopback stub sees exactly what Twilio would.
 */
final class TwilioApiHttpClient extends NetworkHttpClient implements AutoCloseable {

    private final URI apiBaseUrl;

    /**
     * @param apiBaseUrl  where requests for Twilio go instead; null for Twilio's cloud
     * @param readTimeout the longest wait for Twilio's answer; a request that takes longer fails (and is retried by
     *                    the caller of {@code send}, not here)
     */
    TwilioApiHttpClient(URI apiBaseUrl, Duration readTimeout) {
        // Apache's own retries are off (by default it retries 429 and 503 after a second, per SDK attempt): the SDK
        // retries a 5xx three times quickly, and the server's sender retries a failed message later.
        super(HttpClientBuilder.create()
                .useSystemProperties()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom()
                                .setSoTimeout(Timeout.ofMilliseconds(readTimeout.toMillis()))
                                .setSoKeepAlive(true)
                                .build())
                        .setMaxConnPerRoute(20)
                        .setMaxConnTotal(100)
                        .build())
                .setDefaultRequestConfig(DEFAULT_REQUEST_CONFIG)
                .disableAutomaticRetries());
        this.apiBaseUrl = apiBaseUrl;
    }

    @Override
    public Response makeRequest(Request request) {
        if (apiBaseUrl == null) {
            return super.makeRequest(request);
        }
        URL target = request.constructURL();
        String host = target.getHost().toLowerCase(Locale.ROOT);
        if (!host.equals("twilio.com") && !host.endsWith(".twilio.com")) {
            return super.makeRequest(request);
        }
        String rewritten = apiBaseUrl + target.getFile();
        return super.makeRequest(new Redirected(request, rewritten));
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new ApiException("closing the Twilio HTTP client: " + e.getMessage(), e);
        }
    }

    /** A copy of the SDK's request that goes to another URL. */
    private static final class Redirected extends Request {

        private final URL url;

        Redirected(Request original, String url) {
            super(original.getMethod(), url);
            try {
                this.url = URI.create(url).toURL();
            } catch (MalformedURLException e) {
                throw new ApiException("Bad URL: " + url, e);
            }
            if (original.getAuthStrategy() != null) {
                setAuth(original.getAuthStrategy());
            } else if (original.getUsername() != null) {
                setAuth(original.getUsername(), original.getPassword());
            }
            copy(original.getPostParams(), this::addPostParam);
            copy(original.getHeaderParams(), this::addHeaderParam);
            setContentType(original.getContentType());
            setBody(original.getBody());
            setFormParameters(original.getFormParameters());
            setUserAgentExtensions(original.getUserAgentExtensions());
        }

        /** Query parameters are already in the URL. */
        @Override
        public URL constructURL() {
            return url;
        }

        private static void copy(Map<String, List<String>> from, java.util.function.BiConsumer<String, String> to) {
            from.forEach((name, values) -> values.forEach(value -> to.accept(name, value)));
        }
    }
}
