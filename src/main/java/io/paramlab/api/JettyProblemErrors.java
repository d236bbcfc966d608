package io.paramlab.api;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Problem answers for the requests Jetty refuses before Spring MVC sees them: a path with an
 * encoded "/" (400 "Ambiguous URI path separator"), headers over
 * server.max-http-request-header-size (431), a malformed request line. Jetty would answer these
 * with an HTML page.
 */
@Component
class JettyProblemErrors implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public void customize(ConfigurableJettyWebServerFactory factory) {
        factory.addServerCustomizers(server -> server.setErrorHandler(new ProblemErrorHandler()));
    }

    static ByteBuffer problem(int status, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", switch (status) {
            case 400 -> Problems.type("invalid-request").toString();
            case 413, 414, 431 -> Problems.type("limit-exceeded").toString();
            default -> "about:blank";
        });
        body.put("title", HttpStatus.getMessage(status));
        body.put("status", status);
        body.put("detail", explained(status, detail));
        return ByteBuffer.wrap(JSON.writeValueAsBytes(body));
    }

    /** Jetty's wording, with what the client can do about it where Jetty only names the status. */
    private static String explained(int status, String detail) {
        if (detail != null && detail.contains("Ambiguous URI path separator")) {
            return "the path holds an encoded \"/\" (%2F); module and parameter names never contain \"/\"";
        }
        if (status == 431) {
            return "the request headers are over the limit of server.max-http-request-header-size";
        }
        return detail == null ? HttpStatus.getMessage(status) : detail;
    }

    private static final class ProblemErrorHandler extends ErrorHandler {
        /** Errors of a parsed request, such as the ambiguous path. */
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
            response.write(true, problem(code, message), callback);
        }

        /** Requests that could not be parsed at all, such as headers over the size limit. */
        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
            return problem(status, reason);
        }
    }
}
