package io.paramlab.ops;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The operations endpoints through real HTTP, as a platform or a person meets them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OperationsTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String NET = """
            {"model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    // Redirects are not followed, so the test sees the redirect itself.
    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @LocalServerPort
    int port;

    @Test
    void livenessAndReadinessProbesAreUp() {
        for (String probe : new String[] {"liveness", "readiness"}) {
            HttpResponse<String> answer = get("/actuator/health/" + probe);
            assertThat(answer.statusCode()).as(probe).isEqualTo(200);
            assertThat(json(answer).get("status").stringValue()).as(probe).isEqualTo("UP");
        }
    }

    @Test
    void prometheusHasPerEndpointRequestTimersAndRegistryGauges() {
        HttpResponse<String> created = post("/api/v1/models", NET);
        assertThat(created.statusCode()).isEqualTo(201);

        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        String text = scrape.body();
        // Boot's request timer, tagged by the URI template: one series per endpoint.
        assertThat(text).containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*uri=\"/api/v1/models\"");
        assertThat(text).contains("http_server_requests_seconds_bucket{");
        // Other tests share this context and may hold models too, hence at least.
        assertThat(gauge(text, "paramlab_models_held")).isGreaterThanOrEqualTo(1);
        assertThat(gauge(text, "paramlab_parameters_held")).isGreaterThanOrEqualTo(4 * 8 + 8 + 8 + 1);
    }

    @Test
    void infoNamesTheBlasAndTheBuild() {
        HttpResponse<String> answer = get("/actuator/info");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode info = json(answer);
        assertThat(info.path("blas").path("implementation").asString()).isIn("JNIBLAS", "VectorBLAS", "Java11BLAS", "Java8BLAS");
        assertThat(info.path("blas").path("description").asString()).startsWith(info.path("blas").path("implementation").asString());
        assertThat(info.path("build").path("version").asString()).isNotBlank();
        assertThat(info.path("java").path("version").asString()).startsWith("17");
    }

    @Test
    void rootRedirectsToTheWebUiAndSwaggerUiStaysReachable() {
        HttpResponse<String> answer = get("/");
        assertThat(answer.statusCode()).isEqualTo(302);
        assertThat(answer.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/ui/"));
        HttpResponse<String> page = get("/ui/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<main id=\"main\"").contains("/swagger-ui.html");
        // the charting library comes from its webjar, without a version in the path
        assertThat(get("/webjars/uplot/dist/uPlot.esm.js").statusCode()).isEqualTo(200);
        assertThat(get("/swagger-ui.html").statusCode()).as("the Swagger UI entry redirects into springdoc").isEqualTo(302);
        HttpResponse<String> ui = get("/swagger-ui/index.html");
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }

    @Test
    void openApiDocumentIsVersion3AndListsTheApi() {
        HttpResponse<String> answer = get("/v3/api-docs");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode doc = json(answer);
        assertThat(doc.get("openapi").stringValue()).startsWith("3.");
        assertThat(doc.path("paths").has("/api/v1/models")).isTrue();
        assertThat(doc.path("paths").has("/")).as("the root redirect is not API").isFalse();
    }

    private static long gauge(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in the scrape").isTrue();
        return (long) Double.parseDouble(m.group(2));
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build());
    }

    private HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return JSON.readTree(answer.body());
    }
}
