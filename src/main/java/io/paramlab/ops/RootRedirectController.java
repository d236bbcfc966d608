package io.paramlab.ops;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * A person who opens the service's address lands on its web UI (static files under {@code /ui/},
 * which links to Swagger UI). Static resources have no directory index, so {@code /ui/} forwards
 * to its {@code index.html}.
 */
@Hidden // not part of the API, so not in the OpenAPI document
@Controller
class RootRedirectController {

    @GetMapping({"/", "/ui"})
    String root() {
        return "redirect:/ui/";
    }

    @GetMapping("/ui/")
    String ui() {
        return "forward:/ui/index.html";
    }
}
