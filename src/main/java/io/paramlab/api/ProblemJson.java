package io.paramlab.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a problem from {@link Problems} where Spring MVC's converters do not run (the body
 * filter, Jetty's own refusals, the security filters' 401 and 403), in the shape Spring MVC gives
 * it: type, title, status, detail, instance, then the extension fields.
 */
public final class ProblemJson {
    static final String MEDIA_TYPE = "application/problem+json";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long UNREAD_DROPPED = 2L << 20;

    private ProblemJson() {
    }

    static byte[] bytes(ProblemDetail problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (problem.getInstance() != null) {
            body.put("instance", problem.getInstance().toString());
        }
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        return JSON.writeValueAsBytes(body);
    }

    /** Answers with the problem of {@code status} named {@code slug} ({@code urn:paramlab:problem:<slug>}): for filters outside this package. */
    public static void write(HttpServletResponse response, int status, String slug, String title, String detail) throws IOException {
        write(response, Problems.problem(org.springframework.http.HttpStatusCode.valueOf(status), slug, title, detail));
    }

    /**
     * {@link #write(HttpServletResponse, int, String, String, String)} for a refusal before anything read the
     * body (the security filters' 401 and 403): up to 2 MB of the unread body is dropped first, as Tomcat's
     * swallow size; a longer one is answered as the body filter answers a body over its limit
     * ({@link BodySizeLimitFilter#answerAndLinger}): closing on unread bytes would reset the connection and
     * could erase the answer before the client reads it.
     */
    public static void writeBeforeBody(HttpServletRequest request, HttpServletResponse response, int status, String slug,
                                       String title, String detail) throws IOException {
        ProblemDetail problem = Problems.problem(org.springframework.http.HttpStatusCode.valueOf(status), slug, title, detail);
        if (BodySizeLimitFilter.dropRest(request, UNREAD_DROPPED)) {
            write(response, problem);
        } else {
            BodySizeLimitFilter.answerAndLinger(request, response, problem);
        }
    }

    /** Answers with the problem, unless an answer has already started. */
    static void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.getStatus());
        response.setContentType(MEDIA_TYPE);
        byte[] bytes = bytes(problem);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
