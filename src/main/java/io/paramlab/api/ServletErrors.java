package io.paramlab.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page (a {@code sendError} or an exception outside Spring MVC,
 * such as in a filter) answers a problem too, in place of Boot's {@code {"timestamp", "error"}}
 * page. Asked for directly, /error is just a path that does not exist.
 */
@io.swagger.v3.oas.annotations.Hidden
@RestController
class ServletErrors implements ErrorController {
    private static final Logger log = LoggerFactory.getLogger(ServletErrors.class);

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 404;
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ProblemDetail problem;
        if (status >= 500) {
            log.error("unexpected failure outside Spring MVC", exception instanceof Throwable t ? t : null);
            problem = Problems.forStatus(status, "the service failed unexpectedly; the failure is logged");
        } else {
            problem = Problems.forStatus(status, code == null ? "no endpoint at " + request.getRequestURI()
                    : message instanceof String s && !s.isEmpty() ? s : null);
        }
        return ResponseEntity.status(status).body(problem);
    }
}
