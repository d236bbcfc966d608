package io.paramlab.ops;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** A person who opens the service's address lands on its Swagger UI. */
@Hidden // not part of the API, so not in the OpenAPI document
@Controller
class RootRedirectController {

    @GetMapping("/")
    String root() {
        return "redirect:/swagger-ui.html";
    }
}
