package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPatternParser;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The literal-segment pre-check says no only where the patterns say no: the lookup's answer is Spring MVC's own. */
class LiteralSegmentMappingTest {
    private static final List<String> PATTERNS = List.of("/api/v1/models/{id}/forward", "/api/v1/models/{id}/backward",
            "/api/v1/models/{id}", "/api/v1/models", "/api/v1/models/{id}/parameters/{name}", "/api/v1/jobs/{id}/events",
            "/api/v1/files/{*rest}", "/api/v1/static/**", "/api/v1/models/{id:[a-z0-9-]+}/grad", "/api/v1/m?dels/{id}/x",
            "/api/v1/models/{id}/state_dict.{ext}", "/api/v1/models/", "/");
    private static final List<String> PATHS = List.of("/api/v1/models/abc/forward", "/api/v1/models/abc/forward/",
            "/api/v1/models/abc/forward;x=1", "/api/v1/models/abc;v=2/forward", "/api/v1/m%6Fdels/abc/forward",
            "/api/v1/models/abc//forward", "/api/v1/models//forward", "/api/v1/models/abc/backward", "/api/v1/models/abc",
            "/api/v1/models", "/api/v1/models/", "/api/v1/models/a/parameters/0.weight", "/api/v1/jobs/j/events",
            "/api/v1/files", "/api/v1/files/", "/api/v1/files/a/b/c", "/api/v1/static", "/api/v1/static/a/b",
            "/api/v1/models/abc/grad", "/api/v1/models/ABC/grad", "/api/v1/mxdels/abc/x", "/api/v1/models/abc/state_dict.pt",
            "/api/v1/Models/abc/forward", "/", "", "/api/v1/models/abc/forward/extra", "/api/v1/models/abc/forward%2Fx",
            "/api/v1/models/%7Bid%7D/forward");

    @Test
    void skipsAMappingOnlyWhenItsPatternsCannotMatch() throws Exception {
        LiteralSegmentMapping mapping = new LiteralSegmentMapping();
        RequestMappingInfo.BuilderConfiguration config = new RequestMappingInfo.BuilderConfiguration();
        config.setPatternParser(PathPatternParser.defaultInstance);
        int skipped = 0;
        for (String pattern : PATTERNS) {
            RequestMappingInfo info = RequestMappingInfo.paths(pattern).methods(RequestMethod.POST).options(config).build();
            for (String path : PATHS) {
                MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
                ServletRequestPathUtils.parseAndCache(request);
                RequestMappingInfo spring = info.getMatchingCondition(request);
                RequestMappingInfo ours = LiteralSegmentMapping.lookingUp(request, () -> mapping.getMatchingMapping(info, request));
                assertThat(ours).as(pattern + " against " + path).isEqualTo(spring);
                if (spring == null && info.getPathPatternsCondition().getMatchingCondition(request) == null) {
                    skipped++;
                }
            }
        }
        assertThat(skipped).isGreaterThan(200);
    }

    @Test
    void aMappingWithSeveralPatternsIsTriedWhenAnyCanMatch() throws Exception {
        LiteralSegmentMapping mapping = new LiteralSegmentMapping();
        RequestMappingInfo.BuilderConfiguration config = new RequestMappingInfo.BuilderConfiguration();
        config.setPatternParser(PathPatternParser.defaultInstance);
        RequestMappingInfo info = RequestMappingInfo.paths("/api/v1/a/{id}", "/api/v1/b/{id}/c").options(config).build();
        for (String path : List.of("/api/v1/a/1", "/api/v1/b/1/c", "/api/v1/b/1", "/api/v1/c/1/c")) {
            MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
            ServletRequestPathUtils.parseAndCache(request);
            assertThat(LiteralSegmentMapping.lookingUp(request, () -> mapping.getMatchingMapping(info, request))).as(path).isEqualTo(info.getMatchingCondition(request));
        }
    }
}
