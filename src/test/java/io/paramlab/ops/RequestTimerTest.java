package io.paramlab.ops;

import io.paramlab.ParamlabApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request timer ({@link RequestTimer}) gives the Prometheus scrape Spring's own filter gives: the same
 * series of http_server_requests_seconds (names, tags and their values) with the same counts, for a set of
 * requests of every kind. Two services run side by side: the shipped one, and one with a convention bean
 * (Spring's default convention, so the same tags), which leaves the requests to Spring's filter.
 */
class RequestTimerTest {
    static final String NET = """
            {"name": "net", "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    static final Pattern SERIES = Pattern.compile("^(http_server_requests[a-z_]*)\\{((?:[a-z_]+=\"[^\"]*\",?)*)} (\\S+)$", Pattern.MULTILINE);

    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path data;

    /** A handler that fails, as a bug would: the service answers a 500 problem. */
    @RestController
    static class Failing {
        @GetMapping("/api/v1/test-failure/{what}")
        String fail() {
            throw new IllegalStateException("failing on purpose");
        }
    }

    /** Leaves this test's nested classes (and other tests' configurations) out of the component scan. */
    static class NoTestClasses extends TypeExcludeFilter {
        @Override
        public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
            return reader.getClassMetadata().getClassName().contains("Test$");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NoTestClasses;
        }

        @Override
        public int hashCode() {
            return NoTestClasses.class.hashCode();
        }
    }

    private ConfigurableApplicationContext start(String name, boolean springsFilter, String... properties) {
        return new SpringApplicationBuilder(ParamlabApplication.class, Failing.class)
                .initializers(context -> {
                    context.getBeanFactory().registerSingleton("noTestClasses", new NoTestClasses());
                    if (springsFilter) {
                        context.getBeanFactory().registerSingleton("springConvention", new DefaultServerRequestObservationConvention());
                    }
                })
                .run(java.util.stream.Stream.concat(java.util.stream.Stream.of("server.port=0", "paramlab.data-dir=" + data.resolve(name)),
                        java.util.Arrays.stream(properties)).map(p -> "--" + p).toArray(String[]::new));
    }

    private static RequestTimer filter(ConfigurableApplicationContext context) {
        return (RequestTimer) context.getBean("requestTimer", FilterRegistrationBean.class).getFilter();
    }

    @Test
    void theScrapeIsSpringsForEveryKindOfRequest() throws Exception {
        try (ConfigurableApplicationContext ours = start("ours", false);
             ConfigurableApplicationContext springs = start("springs", true)) {
            assertThat(filter(ours).fast()).isTrue();
            assertThat(filter(springs).fast()).isFalse();
            Map<String, String> ourScrape = series(requests(port(ours)));
            Map<String, String> springsScrape = series(requests(port(springs)));

            // Spring's filter also keeps the long-task timer http.server.requests.active, which this one does not.
            assertThat(springsScrape.keySet()).anyMatch(s -> s.startsWith("http_server_requests_active_seconds"));
            assertThat(ourScrape.keySet()).noneMatch(s -> s.startsWith("http_server_requests_active_seconds"));
            springsScrape.keySet().removeIf(s -> s.startsWith("http_server_requests_active_seconds"));

            // Every series of the timer, each bucket included; the counts equal, the times not (they are times).
            assertThat(ourScrape.keySet()).containsExactlyElementsOf(springsScrape.keySet());
            ourScrape.forEach((s, value) -> {
                if (s.startsWith("http_server_requests_seconds_count")) {
                    assertThat(value).as(s).isEqualTo(springsScrape.get(s));
                }
            });
            // The kinds the test meant to cover are there, with Spring's tag values.
            String all = String.join("\n", ourScrape.keySet());
            for (String expected : new String[] {
                    "method=\"POST\",outcome=\"SUCCESS\",status=\"201\",uri=\"/api/v1/models\"",
                    "method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/models/{id}/forward\"",
                    "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/models/{id}\"",
                    "method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"/api/v1/models\"",
                    "method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"415\",uri=\"/api/v1/models\"",
                    "method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/api/v1/models/{id}\"",
                    "method=\"DELETE\",outcome=\"CLIENT_ERROR\",status=\"405\",uri=\"UNKNOWN\"",   // no pattern matched
                    "method=\"GET\",outcome=\"SERVER_ERROR\",status=\"500\",uri=\"/api/v1/test-failure/{what}\"",
                    "method=\"GET\",outcome=\"REDIRECTION\",status=\"302\",uri=\"/\"",
                    "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/**\"",          // the UI's files
                    "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/jobs/{job}/events\"",
                    "method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/**\"",     // no handler: the files' pattern
                    "method=\"UNKNOWN\",outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"UNKNOWN\""}) {
                assertThat(all).as(expected).contains(expected);
            }
        }
    }

    /** The switches of docs/configuration.md still switch the timer off: the observation's and the metric's. */
    @Test
    void theTimerIsSwitchedOffByEitherProperty() throws Exception {
        for (String property : new String[] {"management.observations.enable.http.server.requests=false",
                "management.metrics.enable.http.server.requests=false"}) {
            try (ConfigurableApplicationContext off = start("off-" + property.length(), false, property)) {
                // the observation off: Spring's filter, which then observes nothing; the metric off: a no-op timer
                assertThat(filter(off).fast()).as(property).isEqualTo(property.startsWith("management.metrics"));
                String base = "http://127.0.0.1:" + port(off);
                send(post(base + "/api/v1/models", "application/json", NET), 201);
                send(get(base + "/no-such-file.css"), 404);
                assertThat(series(send(get(base + "/actuator/prometheus"), 200))).as(property).isEmpty();
            }
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** The same requests to a service; its scrape afterwards. */
    private String requests(int port) throws Exception {
        String base = "http://127.0.0.1:" + port;
        String api = base + "/api/v1";
        String created = send(post(api + "/models", "application/json", NET), 201);
        String id = field(created, "id");
        for (int i = 0; i < 3; i++) {
            send(post(api + "/models/" + id + "/forward", "application/json", "{\"input\": [[0.1, 0.2, 0.3, 0.4]]}"), 200);
        }
        send(get(api + "/models/" + id), 200);
        send(post(api + "/models", "application/json", "{\"model\": "), 400);            // a problem: bad JSON
        send(post(api + "/models", "text/plain", "net"), 415);
        send(get(api + "/models/no-such-model"), 404);                                    // a problem from a handler
        send(HttpRequest.newBuilder(URI.create(api + "/models")).DELETE().build(), 405);
        send(get(api + "/test-failure/now"), 500);                                        // an exception mapped to 500
        send(get(api + "/no/such/path"), 404);                                            // no handler
        send(get(base + "/no-such-file.css"), 404);
        send(get(base + "/"), 302);                                                       // the root's redirect
        send(get(base + "/ui"), 302);
        send(get(base + "/ui/index.html"), 200);                                          // the UI's static files
        send(get(base + "/ui/app.js"), 200);
        send(HttpRequest.newBuilder(URI.create(api + "/models")).method("BREW", HttpRequest.BodyPublishers.noBody()).build(), 400);   // the firewall refuses it
        // a job's events: an async request (server-sent events) that ends with the job, timed to its end
        send(HttpRequest.newBuilder(URI.create(api + "/models/" + id + "/optimizer")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"type\": \"SGD\", \"lr\": 0.1}")).build(), 200);
        String job = field(send(post(api + "/models/" + id + "/jobs", "application/json", """
                {"data": {"input": [[0.1, 0.2, 0.3, 0.4]], "target": [[1.0]]}, "loss": "mse", "epochs": 1, "batch_size": 1}"""), 202), "id");
        assertThat(send(get(api + "/jobs/" + job + "/events"), 200)).contains("event:status");
        Thread.sleep(200);   // the async request's timer stops on the container's completion, after the answer
        return send(get(base + "/actuator/prometheus"), 200);
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
    }

    private static HttpRequest post(String url, String type, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String send(HttpRequest request, int status) throws Exception {
        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(request.method() + " " + request.uri() + ": " + answer.body()).isEqualTo(status);
        return answer.body();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1);
    }

    /** Each series of the request timer (name and labels, sorted) with its value. */
    private static Map<String, String> series(String scrape) {
        Map<String, String> series = new TreeMap<>();
        Matcher m = SERIES.matcher(scrape);
        while (m.find()) {
            List<String> labels = new ArrayList<>(List.of(m.group(2).split(",(?=[a-z_]+=\")")));
            labels.sort(null);
            series.put(m.group(1) + "{" + String.join(",", labels) + "}", m.group(3));
        }
        return series;
    }
}
