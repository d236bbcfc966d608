package io.paramlab.api;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import java.nio.ByteBuffer;

/**
 * Problem answers for the requests Jetty refuses before Spring MVC sees them: a path with an
 * encoded "/" or "." segment, a bad Content-Length, headers over
 * server.max-http-request-header-size (431), a malformed request line. Jetty would answer these
 * with an HTML page, and for methods other than GET, POST and HEAD with an empty body.
 */
@Component
class JettyProblemErrors implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> {

    @Override
    public void customize(ConfigurableJettyWebServerFactory factory) {
        factory.addServerCustomizers(server -> server.setErrorHandler(new ProblemErrorHandler()));
    }

    static ByteBuffer problem(int status, String detail) {
        return ByteBuffer.wrap(ProblemJson.bytes(Problems.forStatus(status, detail)));
    }

    /** Jetty's wording, with what the client can do about it where Jetty only names the status. */
    static String explained(int status, String detail) {
        if (detail != null && detail.contains("Ambiguous URI path separator")) {
            return "the path holds an encoded \"/\" (%2F); module and parameter names never contain \"/\"";
        }
        if (detail != null && detail.contains("Ambiguous URI path segment")) {
            return "the path holds a \".\" or \"..\" segment, perhaps encoded (%2E); module and parameter names are never \".\" or \"..\"";
        }
        if ("Bad query".equals(detail)) {
            return "the query string is not valid percent-encoding (a \"%\" must be followed by two hex digits)";
        }
        if (status == 431) {
            return "the request headers are over the limit of server.max-http-request-header-size";
        }
        return detail == null || detail.isEmpty() ? Problems.slug(status).replace('-', ' ') : detail;
    }

    private static final class ProblemErrorHandler extends ErrorHandler {
        /** Every method gets the problem body; Jetty's default gives one to GET, POST and HEAD only. */
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        /** Errors of a parsed request, such as the ambiguous path. */
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE);
            response.write(true, problem(code, message), callback);
        }

        /** Requests that could not be parsed at all, such as headers over the size limit. */
        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE);
            return problem(status, reason);
        }
    }
}
