package io.paramlab.api;

import io.paramlab.model.RequestContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is, as access control sees it: a client (the web UI) disables what the role cannot do
 * before trying it. An addition to API.md (docs/access-control.md says so).
 */
@Tag(name = "access")
@RestController
class CallerController {
    /** The caller's name (history's actor, a new model's owner) and role; {@code access_control} false in the open mode. */
    record Caller(String name, String role, boolean access_control) {
    }

    @Operation(summary = "Who am I", operationId = "whoami", description = "The caller's name (a token's configured name, a JWT's "
            + "subject, or anonymous in the open mode) and its role (read, write or admin; the open mode acts as admin). "
            + "Any role may ask. An addition to the contract, for clients that show what a token may do.")
    @ApiResponse(responseCode = "200", description = "The caller", content = @Content(mediaType = "application/json",
            schema = @Schema(ref = ApiSchemas.CALLER)))
    @GetMapping("/api/v1/whoami")
    Caller whoami(jakarta.servlet.http.HttpServletRequest request) {
        RequestContext caller = RequestContext.current();
        return new Caller(caller.actor(), caller.access().role(), request.getUserPrincipal() != null);
    }
}
